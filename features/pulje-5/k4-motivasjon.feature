# language: no
@K4
Egenskap: K4 – Motivert og vil prioritere arbeidet
  Kriterium 4 gjelder kommunen, hver skole og hver barnehage. K4 er oppfylt når de har
  svart at de er motivert og vil prioritere arbeidet (ja), ikke oppfylt når de har svart
  nei, og ukjent når det ikke er oppgitt.

  For kommunen er K4 et krav: ikke oppfylt gir «Ikke anbefalt», ukjent gir
  «Ufullstendig». For en skole eller barnehage avgjør K4 om den er med: ikke oppfylt
  gir enhetsstatusen «Utelatt», ukjent gir «Uavklart». Behovene til en utelatt skole
  eller barnehage teller ikke.

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har:
      | skoleeier deltar | barnehageeier deltar | PPT deltar |
      | ja               | ja                   | ja         |
    Og kommunen har:
      | motivert | tilsyn |
      | ja       | ingen  |
    Og søknaden har skolene:
      | skole        | motivert | saker | tilsyn |
      | Nordby skole | ja       | ingen | ingen  |
      | Sørby skole  | ja       | ingen | ingen  |
    Og skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 15,0    | 100  |
      | 2018 | 15,0    | 100  |
      | 2019 | 15,0    | 100  |
    Og skolen «Sørby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 3,0     | 100  |
      | 2018 | 3,0     | 100  |
      | 2019 | 3,0     | 100  |
    Og søknaden har barnehagene:
      | barnehage           | motivert | tilsyn | sender barn til | kjente utfordringer |
      | Solsikken barnehage | ja       | ingen  | ingen           | nei                 |

  Abstrakt Scenario: For kommunen er K4 et krav
    Gitt kommunen har «motivert» satt til «<motivert>»
    Når søknaden vurderes
    Så er K4 for kommunen «<K4>»
    Og er utfallet «<utfall>»

    Eksempler:
      | motivert | K4           | utfall        |
      | ja       | oppfylt      | Anbefalt      |
      | nei      | ikke oppfylt | Ikke anbefalt |
      | ukjent   | ukjent       | Ufullstendig  |

  Abstrakt Scenario: For en skole avgjør K4 om skolen er med
    Gitt skolen «Sørby skole» har «motivert» satt til «<motivert>»
    Når søknaden vurderes
    Så er K4 for «Sørby skole» «<K4>»
    Og er enhetsstatusen for «Sørby skole» «<enhetsstatus>»

    Eksempler:
      | motivert | K4           | enhetsstatus |
      | ja       | oppfylt      | Med          |
      | nei      | ikke oppfylt | Utelatt      |
      |          | ukjent       | Uavklart     |

  Abstrakt Scenario: For en barnehage avgjør K4 om barnehagen er med
    Gitt barnehagen «Solsikken barnehage» har «motivert» satt til «<motivert>»
    Når søknaden vurderes
    Så er K4 for «Solsikken barnehage» «<K4>»
    Og er enhetsstatusen for «Solsikken barnehage» «<enhetsstatus>»

    Eksempler:
      | motivert | K4           | enhetsstatus |
      | ja       | oppfylt      | Med          |
      | nei      | ikke oppfylt | Utelatt      |
      | ukjent   | ukjent       | Uavklart     |

  Scenario: Høye mobbetall hos en skole som ikke er motivert, teller ikke
    Gitt skolen «Nordby skole» har «motivert» satt til «nei»
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «oppfylt»
    Og er enhetsstatusen for «Nordby skole» «Utelatt»
    Og er utfallet «Ikke anbefalt»
    Og er poengsummen 0

  Scenario: Forklaringen sier hva som mangler når motivasjonen ikke er oppgitt
    Gitt skolen «Sørby skole» har «motivert» satt til «ukjent»
    Når søknaden vurderes
    Så er K4 for «Sørby skole» «ukjent»
    Og mangler K4 for «Sørby skole» opplysningen «schools[1].motivated»
    Og nevner forklaringen av K4 for «Sørby skole» «Det er ikke oppgitt om Sørby skole er motivert»

  Scenario: Forklaringen sier rett ut at en skole har svart nei
    Gitt skolen «Sørby skole» har «motivert» satt til «nei»
    Når søknaden vurderes
    Så er K4 for «Sørby skole» «ikke oppfylt»
    Og nevner forklaringen av K4 for «Sørby skole» «Sørby skole har svart at de ikke er motivert og ikke vil prioritere arbeidet»
