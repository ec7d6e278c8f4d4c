# language: no
@K1
Egenskap: K1 – Høye mobbetall over tid
  Kriterium 1 gjelder hver skole i søknaden. Skolen oppfyller K1 når minst 2 av årene
  2017, 2018 og 2019 har høye mobbetall i Elevundersøkelsen (indikatoren «Mobbing på
  skolen»: andelen elever som blir mobbet 2–3 ganger i måneden eller oftere).

  Et år er høyt når den publiserte andelen er minst landssnittet det året pluss 3,0
  prosentpoeng. Landssnittene er 6,6 % (2017), 6,1 % (2018) og 6,0 % (2019), så
  tersklene er 9,6 %, 9,1 % og 9,0 %. Et tall er publisert når det har en prosentandel,
  ikke er skjermet og har minst 10 svar. Ellers er året ukjent – aldri lavt.

  K1 er ikke oppfylt når skolen ikke kan nå 2 høye år selv om alle ukjente år skulle
  vise seg å være høye. Ellers er K1 ukjent.

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | ja       |

  Abstrakt Scenario: Et år er høyt fra landssnittet pluss 3,0 prosentpoeng, nøyaktig på terskelen teller
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | <2017>  | 100  |
      | 2018 | <2018>  | 100  |
      | 2019 | <2019>  | 100  |
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «<K1>»

    Eksempler:
      | 2017 | 2018 | 2019 | K1           | hvorfor                                  |
      | 9,6  | 9,1  | 3,0  | oppfylt      | 2017 og 2018 er nøyaktig på terskelen    |
      | 3,0  | 9,1  | 9,0  | oppfylt      | 2018 og 2019 er nøyaktig på terskelen    |
      | 12,4 | 15,0 | 11,2 | oppfylt      | alle tre årene er godt over terskelen    |
      | 9,5  | 9,0  | 8,9  | ikke oppfylt | hvert år er 0,1 under terskelen          |
      | 12,0 | 3,0  | 3,0  | ikke oppfylt | bare ett høyt år, og de andre er kjente  |

  Scenario: Forklaringen viser hvert år med tall og terskel, med desimalkomma
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 9,6     | 100  |
      | 2018 | 9,1     | 100  |
      | 2019 | 3,0     | 100  |
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «oppfylt»
    Og nevner forklaringen av K1 for «Nordby skole» «2017: 9,6 % (terskel 9,6 %, høyt)»
    Og nevner forklaringen av K1 for «Nordby skole» «2019: 3,0 % (terskel 9,0 %, ikke høyt)»

  Abstrakt Scenario: Et år uten publisert tall er ukjent, ikke lavt
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar   | skjermet   |
      | 2017 | 12,0    | 100    | nei        |
      | 2018 | <2018>  | <svar> | <skjermet> |
      | 2019 | 2,0     | 100    | nei        |
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «<K1>»

    Eksempler:
      | 2018   | svar   | skjermet | K1      | hvorfor                                          |
      | ukjent | ukjent | ja       | ukjent  | tallet for 2018 er skjermet                      |
      | 30,0   | 9      | nei      | ukjent  | færre enn 10 svar: tallet er ikke publisert      |
      | 30,0   | 10     | nei      | oppfylt | nøyaktig 10 svar: tallet er publisert            |
      | ukjent | 100    | nei      | ukjent  | ingen prosentandel                               |
      | 30,0   | ukjent | nei      | oppfylt | antall svar er ikke oppgitt: tallet er publisert |

  Scenario: Et år som mangler helt, er ukjent, og vedtaket sier hvilket
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 12,0    | 100  |
      | 2019 | 2,0     | 100  |
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «ukjent»
    Og mangler K1 for «Nordby skole» opplysningen «schools[0].bullying[year=2018]»

  Scenario: År utenfor 2017–2019 teller ikke
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2015 | 20,0    | 100  |
      | 2016 | 20,0    | 100  |
      | 2017 | 2,0     | 100  |
      | 2018 | 2,0     | 100  |
      | 2019 | 2,0     | 100  |
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «ikke oppfylt»

  Abstrakt Scenario: Uten mobbetall er K1 ukjent
    Gitt skolen «Nordby skole» har «mobbetall» satt til «<mobbetall>»
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «ukjent»

    Eksempler:
      | mobbetall | hvorfor                                    |
      | ukjent    | det er ikke oppgitt noen mobbetall         |
      | ingen     | lista er tom, så alle tre årene er ukjente |

  Scenario: K1 vurderes for hver skole for seg
    Gitt søknaden har skolene:
      | skole       | motivert |
      | Sørby skole | ja       |
    Og skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 15,0    | 100  |
      | 2018 | 15,0    | 100  |
      | 2019 | 15,0    | 100  |
    Og skolen «Sørby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 4,0     | 100  |
      | 2018 | 4,0     | 100  |
      | 2019 | 4,0     | 100  |
    Når søknaden vurderes
    Så er kriteriene:
      | kriterium | for          | status       |
      | K1        | Nordby skole | oppfylt      |
      | K1        | Sørby skole  | ikke oppfylt |
