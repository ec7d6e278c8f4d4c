# language: no
@K6
Egenskap: K6 – Alle parter deltar
  Kriterium 6 gjelder søknaden og er et krav. K6 er oppfylt når
  – skoleeier, barnehageeier og PPT alle deltar,
  – minst én skole og minst én barnehage er med (deres K4 er oppfylt), og
  – hver skole og barnehage med privat eier har en eier som har sagt ja til å delta.

  K6 er ikke oppfylt så snart én del sikkert ikke holder: en part deltar ikke, alle
  skolene (eller alle barnehagene) er utelatt eller det er ingen, eller en privat eier har
  sagt nei. Ellers, når noe ikke er oppgitt, er K6 ukjent. Et «nei» veier tyngre enn et
  «ukjent».

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har:
      | skoleeier deltar | barnehageeier deltar | PPT deltar |
      | ja               | ja                   | ja         |
    Og søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | ja       |
      | Sørby skole  | ja       |
    Og søknaden har barnehagene:
      | barnehage           | motivert |
      | Solsikken barnehage | ja       |
      | Blåbær barnehage    | ja       |

  Scenario: Alle parter deltar
    Når søknaden vurderes
    Så er K6 «oppfylt»
    Og nevner forklaringen av K6 «2 skoler og 2 barnehager er med»

  Abstrakt Scenario: Skoleeier, barnehageeier og PPT må alle delta
    Gitt søknaden har:
      | skoleeier deltar | barnehageeier deltar | PPT deltar |
      | <skoleeier>      | <barnehageeier>      | <PPT>      |
    Når søknaden vurderes
    Så er K6 «<K6>»

    Eksempler:
      | skoleeier | barnehageeier | PPT    | K6           | hvorfor                          |
      | nei       | ja            | ja     | ikke oppfylt | skoleeier deltar ikke            |
      | ja        | nei           | ja     | ikke oppfylt | barnehageeier deltar ikke        |
      | ja        | ja            | nei    | ikke oppfylt | PPT deltar ikke                  |
      | ja        | ukjent        | ja     | ukjent       | barnehageeier har ikke svart     |
      | ukjent    | ja            | nei    | ikke oppfylt | et nei veier tyngre enn et ukjent |

  Abstrakt Scenario: Minst én skole må være med
    Gitt skolen «Nordby skole» har «motivert» satt til «<Nordby>»
    Og skolen «Sørby skole» har «motivert» satt til «<Sørby>»
    Når søknaden vurderes
    Så er K6 «<K6>»

    Eksempler:
      | Nordby | Sørby  | K6           | hvorfor                                    |
      | nei    | nei    | ikke oppfylt | begge skolene er utelatt                   |
      | nei    | ukjent | ukjent       | den eneste mulige skolen er uavklart       |
      | ukjent | ja     | oppfylt      | én skole er med, det er nok                |

  Scenario: Er begge barnehagene utelatt, er K6 ikke oppfylt
    Gitt barnehagen «Solsikken barnehage» har «motivert» satt til «nei»
    Og barnehagen «Blåbær barnehage» har «motivert» satt til «nei»
    Når søknaden vurderes
    Så er K6 «ikke oppfylt»
    Og nevner forklaringen av K6 «ingen barnehage er med»

  Scenario: En søknad uten barnehager oppfyller ikke K6
    Gitt en søknad fra Malvik kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har:
      | skoleeier deltar | barnehageeier deltar | PPT deltar |
      | ja               | ja                   | ja         |
    Og søknaden har skolene:
      | skole           | motivert |
      | Hommelvik skole | ja       |
    Når søknaden vurderes
    Så er K6 «ikke oppfylt»
    Og nevner forklaringen av K6 «ingen barnehage er med»

  Scenario: En søknad uten skoler og barnehager sier at ingen er med
    Gitt en søknad fra Malvik kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har:
      | skoleeier deltar | barnehageeier deltar | PPT deltar |
      | ja               | ja                   | ja         |
    Når søknaden vurderes
    Så er K6 «ikke oppfylt»
    Og nevner forklaringen av K6 «Ikke alle parter deltar: ingen skole og ingen barnehage er med.»

  Scenario: Én skole og én barnehage står i entall
    Gitt en søknad fra Malvik kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har:
      | skoleeier deltar | barnehageeier deltar | PPT deltar |
      | ja               | ja                   | ja         |
    Og søknaden har skolene:
      | skole           | motivert |
      | Hommelvik skole | ja       |
    Og søknaden har barnehagene:
      | barnehage           | motivert |
      | Hommelvik barnehage | ja       |
    Når søknaden vurderes
    Så er K6 «oppfylt»
    Og nevner forklaringen av K6 «1 skole og 1 barnehage er med»

  Abstrakt Scenario: En privat eier må ha sagt ja
    Gitt skolen «Sørby skole» har:
      | eier          | privat eier | eier deltar |
      | Montessori AS | <privat>    | <deltar>    |
    Når søknaden vurderes
    Så er K6 «<K6>»

    Eksempler:
      | privat | deltar | K6           | hvorfor                                    |
      | ja     | ja     | oppfylt      | den private eieren har sagt ja             |
      | ja     | nei    | ikke oppfylt | den private eieren har sagt nei            |
      | ja     | ukjent | ukjent       | den private eieren har ikke svart          |
      | nei    | ukjent | oppfylt      | en eier som ikke er privat, trenger ikke svare |

  Scenario: Vedtaket sier hvilken privat eier som ikke har svart
    Gitt barnehagen «Blåbær barnehage» har:
      | eier              | privat eier | eier deltar |
      | Blåbær Drift AS   | ja          | ukjent      |
    Når søknaden vurderes
    Så er K6 «ukjent»
    Og mangler K6 opplysningen «kindergartens[1].owner.participates»

  Scenario: Forklaringen lister alle parter som ikke deltar
    Gitt søknaden har:
      | skoleeier deltar | PPT deltar |
      | nei              | nei        |
    Når søknaden vurderes
    Så er K6 «ikke oppfylt»
    Og nevner forklaringen av K6 «skoleeier deltar ikke og PPT deltar ikke»

  Scenario: Bare enheter med privat eier trenger svar fra eieren
    Gitt søknaden har skolene:
      | skole          | motivert | eier          | privat eier | eier deltar |
      | Vestby skole   | ja       | Steinerskolen | ja          | ja          |
      | Østby skole    | ja       |               |             |             |
      | Midtby skole   | ja       | kommunen      |             |             |
    Når søknaden vurderes
    Så er K6 «oppfylt»
