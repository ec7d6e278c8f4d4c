# language: no
@K2
Egenskap: K2 – Klagesaker eller komplekse og langvarige saker
  Kriterium 2 gjelder hver skole i søknaden. Skolen oppfyller K2 når den har hatt en sak
  om skolemiljøet i 2017, 2018 eller 2019 som
  – er meldt til fylkesmannen (klagesak etter opplæringslova § 9 A-6), eller
  – er kompleks, eller
  – har vært åpen i minst 6 måneder.

  K2 er ikke oppfylt når sakene er oppgitt, men ingen av dem kvalifiserer – også når
  skolen ikke har hatt noen saker. K2 er ukjent når det ikke er oppgitt om skolen har
  hatt saker.

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | ja       |

  Abstrakt Scenario: Én klagesak, kompleks sak eller langvarig sak er nok
    Gitt skolen «Nordby skole» har saker:
      | år   | type   | kompleks   | måneder åpen |
      | <år> | <type> | <kompleks> | <måneder>    |
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «<K2>»

    Eksempler:
      | år   | type     | kompleks | måneder | K2           | hvorfor                            |
      | 2019 | klagesak | nei      | 1       | oppfylt      | klagesak                           |
      | 2018 | annen    | ja       | 2       | oppfylt      | kompleks sak                       |
      | 2017 | annen    | nei      | 6       | oppfylt      | åpen i nøyaktig 6 måneder          |
      | 2017 | annen    | nei      | 5       | ikke oppfylt | åpen i 5 måneder, ikke kompleks    |
      | 2019 | annen    | nei      | ukjent  | ikke oppfylt | varighet ikke oppgitt, ikke kompleks |

  Abstrakt Scenario: Saker fra før 2017 eller etter 2019 teller ikke
    Gitt skolen «Nordby skole» har saker:
      | år   | type     | kompleks | måneder åpen |
      | <år> | klagesak | ja       | 12           |
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «ikke oppfylt»

    Eksempler:
      | år   |
      | 2016 |
      | 2020 |

  Scenario: Blant flere saker er det nok at én kvalifiserer
    Gitt skolen «Nordby skole» har saker:
      | år   | type     | måneder åpen |
      | 2016 | klagesak | 2            |
      | 2019 | annen    | 8            |
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «oppfylt»
    Og nevner forklaringen av K2 for «Nordby skole» «2019: åpen i 8 måneder»

  Scenario: En skole uten saker oppfyller ikke K2
    Gitt skolen «Nordby skole» har «saker» satt til «ingen»
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «ikke oppfylt»

  Scenario: Er det ikke oppgitt om skolen har hatt saker, er K2 ukjent
    Gitt skolen «Nordby skole» har «saker» satt til «ukjent»
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «ukjent»
    Og mangler K2 for «Nordby skole» opplysningen «schools[0].cases»
    Og nevner forklaringen av K2 for «Nordby skole» «Mangler: sakene.»

  Scenario: Forklaringen teller saker med entall og flertall
    Gitt skolen «Nordby skole» har saker:
      | år   | type     | kompleks | måneder åpen |
      | 2019 | klagesak | nei      | 1            |
      | 2014 | annen    | nei      | 1            |
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «oppfylt»
    Og nevner forklaringen av K2 for «Nordby skole» «har 1 kvalifiserende sak i årene»

  Scenario: Uten kvalifiserende saker teller forklaringen sakene som er registrert
    Gitt skolen «Nordby skole» har saker:
      | år   | type  | kompleks | måneder åpen |
      | 2014 | annen | nei      | 1            |
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «ikke oppfylt»
    Og nevner forklaringen av K2 for «Nordby skole» «(1 sak registrert)»
