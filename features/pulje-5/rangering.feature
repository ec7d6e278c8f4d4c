# language: no
@rangering
Egenskap: Rangering innenfor fylket og kapasiteten
  Søknadene rangeres for hvert fylke for seg. Først kommer de anbefalte, så de
  ufullstendige, så de som ikke er anbefalt. Innenfor hvert utfall rangeres de etter
  poengsum (høyest først), så etter mottaksdato (tidligst først, søknader uten
  mottaksdato sist), så etter kommunenummer og til sist etter søknadens id.

  Hvert fylke kan anbefale et bestemt antall kommuner – kapasiteten: 1 i Nordland
  (fylke 18) og 2 i alle andre fylker. De første anbefalte søknadene opp til kapasiteten er
  «innenfor kapasitet».

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
      | 2017 | 15,0    | 100  |
      | 2018 | 15,0    | 100  |
      | 2019 | 15,0    | 100  |
    Og søknaden har barnehagene:
      | barnehage           | motivert | tilsyn | sender barn til | kjente utfordringer |
      | Solsikken barnehage | ja       | ingen  | ingen           | nei                 |

  Scenario: Anbefalte først, og høyest poengsum først innenfor hvert utfall
    Gitt en søknad fra Malvik kommune i fylke 50 mottatt 2020-01-25, ellers lik søknaden fra Trondheim kommune
    Og kommunen har tilsyn:
      | år   | avvik  |
      | 2018 | system |
    Gitt en søknad fra Melhus kommune i fylke 50 mottatt 2020-01-10, ellers lik søknaden fra Trondheim kommune
    Og søknaden har «PPT deltar» satt til «ukjent»
    Gitt en søknad fra Orkland kommune i fylke 50 mottatt 2020-01-05, ellers lik søknaden fra Trondheim kommune
    Og søknaden har «PPT deltar» satt til «nei»
    Når søknadene rangeres
    Så er rangeringen i fylke 50:
      | plass | kommune   | utfall        | poeng | innenfor kapasitet |
      | 1     | Malvik    | Anbefalt      | 5     | ja                 |
      | 2     | Trondheim | Anbefalt      | 3     | ja                 |
      | 3     | Melhus    | Ufullstendig  | 3     | nei                |
      | 4     | Orkland   | Ikke anbefalt | 3     | nei                |

  Scenario: Bare de første anbefalte opp til kapasiteten er innenfor
    Gitt en søknad fra Malvik kommune i fylke 50 mottatt 2020-01-15, ellers lik søknaden fra Trondheim kommune
    Gitt en søknad fra Melhus kommune i fylke 50 mottatt 2020-01-10, ellers lik søknaden fra Trondheim kommune
    Når søknadene rangeres
    Så er kapasiteten i fylke 50: 2
    Og er rangeringen i fylke 50:
      | plass | kommune   | utfall   | innenfor kapasitet |
      | 1     | Melhus    | Anbefalt | ja                 |
      | 2     | Malvik    | Anbefalt | ja                 |
      | 3     | Trondheim | Anbefalt | nei                |

  Scenario: Søknader uten mottaksdato kommer sist blant like søknader
    Gitt søknaden har «PPT deltar» satt til «ukjent»
    Gitt en søknad fra Malvik kommune i fylke 50 uten mottaksdato, ellers lik søknaden fra Trondheim kommune
    Gitt en søknad fra Melhus kommune i fylke 50 mottatt 2020-01-31, ellers lik søknaden fra Trondheim kommune
    Når søknadene rangeres
    Så er rangeringen i fylke 50:
      | plass | kommune   | utfall       | poeng |
      | 1     | Trondheim | Ufullstendig | 3     |
      | 2     | Melhus    | Ufullstendig | 3     |
      | 3     | Malvik    | Ufullstendig | 3     |

  Scenario: Lik poengsum og lik mottaksdato: lavest kommunenummer først
    Gitt kommunen har «kommunenummer» satt til «5001»
    Gitt en søknad fra Malvik kommune i fylke 50 mottatt 2020-01-20, ellers lik søknaden fra Trondheim kommune
    Og kommunen har «kommunenummer» satt til «5031»
    Når søknadene rangeres
    Så er rangeringen i fylke 50:
      | plass | kommune   | søknad    |
      | 1     | Trondheim | trondheim |
      | 2     | Malvik    | malvik    |

  Scenario: Er alt annet likt, avgjør søknadens id
    Gitt søknaden har «id» satt til «trondheim-b»
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20, ellers lik søknaden fra Trondheim kommune
    Og søknaden har «id» satt til «trondheim-a»
    Når søknadene rangeres
    Så er rangeringen i fylke 50:
      | plass | søknad      | utfall   | poeng |
      | 1     | trondheim-a | Anbefalt | 3     |
      | 2     | trondheim-b | Anbefalt | 3     |

  Scenario: Nordland har kapasitet 1, og hvert fylke rangeres for seg
    Gitt en søknad fra Bodø kommune i fylke 18 mottatt 2020-02-10, ellers lik søknaden fra Trondheim kommune
    Gitt en søknad fra Rana kommune i fylke 18 mottatt 2020-01-15, ellers lik søknaden fra Trondheim kommune
    Når søknadene rangeres
    Så er kapasiteten i fylke 18: 1
    Og er rangeringen i fylke 18:
      | plass | kommune | utfall   | innenfor kapasitet |
      | 1     | Rana    | Anbefalt | ja                 |
      | 2     | Bodø    | Anbefalt | nei                |
    Og er rangeringen i fylke 50:
      | plass | kommune   | utfall   | innenfor kapasitet |
      | 1     | Trondheim | Anbefalt | ja                 |
