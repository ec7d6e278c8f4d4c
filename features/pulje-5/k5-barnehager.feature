# language: no
@K5
Egenskap: K5 – Barnehage knyttet til deltakende skoler eller med kjente utfordringer
  Kriterium 5 gjelder hver barnehage og er en fordel: det gir 1 poeng i rangeringen og
  gjør barnehagen prioritert, men er ikke et behov og avgjør ikke utfallet alene.

  K5 er oppfylt når barnehagen sender barn videre til en skole i søknaden som ikke er
  utelatt (skolens K4 er ikke «ikke oppfylt»), eller når fylkesmannen kjenner til
  utfordringer med læringsmiljøet i barnehagen. K5 er ikke oppfylt når det er oppgitt
  hvilke skoler barnehagen sender barn til, ingen av dem er en deltakende skole i
  søknaden, og fylkesmannen ikke kjenner til utfordringer. Ellers er K5 ukjent.

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | ja       |
      | Sørby skole  | ja       |
    Og søknaden har barnehagene:
      | barnehage           | motivert |
      | Solsikken barnehage | ja       |

  Abstrakt Scenario: Skolene barnehagen sender barn til, og kjente utfordringer
    Gitt barnehagen «Solsikken barnehage» har:
      | sender barn til | kjente utfordringer |
      | <sender>        | <utfordringer>      |
    Når søknaden vurderes
    Så er K5 for «Solsikken barnehage» «<K5>»

    Eksempler:
      | sender                    | utfordringer | K5           | hvorfor                                       |
      | Nordby skole              | nei          | oppfylt      | sender barn til en deltakende skole           |
      | Nordby skole, Sørby skole | ukjent       | oppfylt      | én deltakende skole er nok                    |
      | ingen                     | ja           | oppfylt      | kjente utfordringer er nok                    |
      | ukjent                    | ja           | oppfylt      | kjente utfordringer er nok                    |
      | ingen                     | nei          | ikke oppfylt | ingen skoler og ingen kjente utfordringer     |
      | ukjent                    | nei          | ukjent       | det er ikke oppgitt hvilke skoler             |
      | ingen                     | ukjent       | ukjent       | det er ikke oppgitt om det er utfordringer    |

  Abstrakt Scenario: En utelatt skole teller ikke, en uavklart skole gjør det
    Gitt skolen «Sørby skole» har «motivert» satt til «<motivert>»
    Og barnehagen «Solsikken barnehage» har:
      | sender barn til | kjente utfordringer |
      | Sørby skole     | nei                 |
    Når søknaden vurderes
    Så er K5 for «Solsikken barnehage» «<K5>»

    Eksempler:
      | motivert | K5           | hvorfor                                  |
      | ja       | oppfylt      | Sørby skole er med                       |
      | ukjent   | oppfylt      | Sørby skole er uavklart, ikke utelatt    |
      | nei      | ikke oppfylt | Sørby skole er utelatt                   |

  Scenario: En skole som ikke er med i søknaden, teller ikke, og vedtaket advarer
    Gitt barnehagen «Solsikken barnehage» har:
      | sender barn til | kjente utfordringer |
      | Vestby skole    | nei                 |
    Når søknaden vurderes
    Så er K5 for «Solsikken barnehage» «ikke oppfylt»
    Og har vedtaket en advarsel som nevner «som ikke er med i søknaden»

  Scenario: K5 gjør barnehagen prioritert og gir 1 poeng
    Gitt barnehagen «Solsikken barnehage» har:
      | sender barn til | kjente utfordringer |
      | Nordby skole    | nei                 |
    Når søknaden vurderes
    Så er K5 for «Solsikken barnehage» «oppfylt»
    Og er enhetsstatusen for «Solsikken barnehage» «Prioritert»
    Og er poengsummen 1
    Og har vedtaket ingen advarsler

  Scenario: Forklaringen nevner skolene barnehagen sender barn til
    Gitt barnehagen «Solsikken barnehage» har:
      | sender barn til | kjente utfordringer |
      | Nordby skole    | nei                 |
    Når søknaden vurderes
    Så nevner forklaringen av K5 for «Solsikken barnehage» «Nordby skole»
