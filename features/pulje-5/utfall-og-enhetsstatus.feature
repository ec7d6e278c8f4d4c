# language: no
@utfall
Egenskap: Utfall, poengsum og enhetsstatus
  Hver søknad får ett av tre utfall. Reglene prøves i denne rekkefølgen:
  1. «Ikke anbefalt» når et krav ikke er oppfylt. Kravene er FRIST, K4 for kommunen og K6.
  2. «Anbefalt» når alle krav er oppfylt og minst ett behov er oppfylt. Behovene er K3 for
     kommunen, K1, K2 og K3 for en skole, og K3 for en barnehage. Bare skoler og barnehager
     som ikke er utelatt, teller.
  3. «Ufullstendig» når et krav er ukjent, eller når ingen behov er oppfylt og minst ett
     behov er ukjent.
  4. Ellers «Ikke anbefalt».

  Poengsummen brukes i rangeringen: summen av vektene for oppfylte kriterier hos kommunen og
  hos skoler og barnehager som ikke er utelatt – K1 gir 3, K2 gir 2, K3 gir 2 og K5 gir 1.

  Hver skole og barnehage får en enhetsstatus: «Utelatt» når K4 ikke er oppfylt, «Uavklart»
  når K4 er ukjent, «Prioritert» når en skole har K1, K2 eller K3 oppfylt eller en barnehage
  har K3 eller K5 oppfylt, og ellers «Med».

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
    Og skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 3,0     | 100  |
      | 2018 | 3,0     | 100  |
      | 2019 | 3,0     | 100  |
    Og søknaden har barnehagene:
      | barnehage           | motivert | tilsyn | sender barn til | kjente utfordringer |
      | Solsikken barnehage | ja       | ingen  | ingen           | nei                 |

  Scenario: Alle krav er oppfylt, men ingen behov: ikke anbefalt
    Når søknaden vurderes
    Så er utfallet «Ikke anbefalt»
    Og er poengsummen 0
    Og nevner sammendraget «ingen av behovskriteriene (K1, K2, K3) er oppfylt»
    Og er enhetsstatusene:
      | enhet               | status |
      | Nordby skole        | Med    |
      | Solsikken barnehage | Med    |

  Scenario: Ett oppfylt behov og alle krav oppfylt: anbefalt
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 15,0    | 100  |
      | 2018 | 15,0    | 100  |
      | 2019 | 15,0    | 100  |
    Når søknaden vurderes
    Så er utfallet «Anbefalt»
    Og er poengsummen 3
    Og nevner sammendraget «K1 for Nordby skole»
    Og er enhetsstatusen for «Nordby skole» «Prioritert»

  Scenario: Tilsyn med avvik hos kommunen er også et behov
    Gitt kommunen har tilsyn:
      | år   | avvik  |
      | 2018 | system |
    Når søknaden vurderes
    Så er K3 for kommunen «oppfylt»
    Og er utfallet «Anbefalt»
    Og er poengsummen 2

  Scenario: Tilsyn med avvik i en barnehage er et behov og gjør barnehagen prioritert
    Gitt barnehagen «Solsikken barnehage» har tilsyn:
      | år   | avvik   |
      | 2017 | praksis |
    Når søknaden vurderes
    Så er utfallet «Anbefalt»
    Og er enhetsstatusen for «Solsikken barnehage» «Prioritert»

  @K5
  Scenario: K5 alene er en fordel, ikke et behov
    Gitt barnehagen «Solsikken barnehage» har «kjente utfordringer» satt til «ja»
    Når søknaden vurderes
    Så er K5 for «Solsikken barnehage» «oppfylt»
    Og er utfallet «Ikke anbefalt»
    Og er poengsummen 1

  Scenario: Et krav som ikke er oppfylt, slår et oppfylt behov
    Gitt søknaden har «mottatt» satt til «2020-02-03»
    Og skolen «Nordby skole» har saker:
      | år   | type     |
      | 2019 | klagesak |
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «oppfylt»
    Og er FRIST «ikke oppfylt»
    Og er utfallet «Ikke anbefalt»
    Og nevner sammendraget «FRIST»

  Scenario: Et ukjent krav gir ufullstendig, selv med oppfylt behov
    Gitt søknaden har «PPT deltar» satt til «ukjent»
    Og skolen «Nordby skole» har saker:
      | år   | type     |
      | 2019 | klagesak |
    Når søknaden vurderes
    Så er K6 «ukjent»
    Og er utfallet «Ufullstendig»
    Og nevner sammendraget «om PPT deltar»

  Scenario: Ingen behov oppfylt og et behov ukjent gir ufullstendig
    Gitt skolen «Nordby skole» har «saker» satt til «ukjent»
    Når søknaden vurderes
    Så er K2 for «Nordby skole» «ukjent»
    Og er utfallet «Ufullstendig»

  Scenario: Behov hos en utelatt skole teller verken for utfallet eller poengsummen
    Gitt søknaden har skolene:
      | skole       | motivert | saker | tilsyn |
      | Sørby skole | nei      | ukjent | ingen |
    Og skolen «Sørby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 20,0    | 100  |
      | 2018 | 20,0    | 100  |
      | 2019 | 20,0    | 100  |
    Når søknaden vurderes
    Så er K1 for «Sørby skole» «oppfylt»
    Og er K2 for «Sørby skole» «ukjent»
    Og er enhetsstatusen for «Sørby skole» «Utelatt»
    Og er utfallet «Ikke anbefalt»
    Og er poengsummen 0

  Scenario: En uavklart skole teller med
    Gitt søknaden har skolene:
      | skole       | motivert | saker | tilsyn |
      | Sørby skole | ukjent   | ingen | ingen  |
    Og skolen «Sørby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 20,0    | 100  |
      | 2018 | 20,0    | 100  |
      | 2019 | 20,0    | 100  |
    Når søknaden vurderes
    Så er enhetsstatusen for «Sørby skole» «Uavklart»
    Og er K6 «oppfylt»
    Og er utfallet «Anbefalt»
    Og er poengsummen 3

  @K5
  Scenario: Poengsummen er summen av vektene: K1 3, K2 2, K3 2 og K5 1
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2017 | 15,0    | 100  |
      | 2018 | 15,0    | 100  |
      | 2019 | 15,0    | 100  |
    Og skolen «Nordby skole» har saker:
      | år   | type  | kompleks |
      | 2018 | annen | ja       |
    Og kommunen har tilsyn:
      | år   | avvik   |
      | 2019 | rutiner |
    Og barnehagen «Solsikken barnehage» har «sender barn til» satt til «Nordby skole»
    Når søknaden vurderes
    Så er kriteriene:
      | kriterium | for                 | status  |
      | K1        | Nordby skole        | oppfylt |
      | K2        | Nordby skole        | oppfylt |
      | K3        | kommunen            | oppfylt |
      | K5        | Solsikken barnehage | oppfylt |
    Og er poengsummen 8
    Og er utfallet «Anbefalt»
