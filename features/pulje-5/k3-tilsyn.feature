# language: no
@K3
Egenskap: K3 – Tilsyn med avvik
  Kriterium 3 gjelder kommunen, hver skole og hver barnehage. K3 er oppfylt når
  fylkesmannen har hatt tilsyn i 2016, 2017, 2018 eller 2019 som fant minst ett avvik
  – brudd på regelverket i praksis, rutiner eller system.

  K3 er ikke oppfylt når tilsynene er oppgitt, men ingen av dem i 2016–2019 fant avvik
  – også når det ikke har vært tilsyn i det hele tatt. K3 er ukjent når det ikke er
  oppgitt om det har vært tilsyn.

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | ja       |
    Og søknaden har barnehagene:
      | barnehage           | motivert |
      | Solsikken barnehage | ja       |

  Abstrakt Scenario: Tilsyn med avvik i 2016–2019 oppfyller K3 for den tilsynet gjaldt
    Gitt <hvem> har tilsyn:
      | år   | avvik   |
      | <år> | <avvik> |
    Når søknaden vurderes
    Så er K3 for <hvem> «<K3>»

    Eksempler:
      | hvem                             | år   | avvik           | K3           | hvorfor                    |
      | kommunen                         | 2016 | praksis         | oppfylt      | første år som teller       |
      | skolen «Nordby skole»            | 2019 | rutiner, system | oppfylt      | siste år som teller        |
      | barnehagen «Solsikken barnehage» | 2018 | system          | oppfylt      | avvik i barnehagen         |
      | kommunen                         | 2015 | system          | ikke oppfylt | tilsyn før 2016 teller ikke |
      | skolen «Nordby skole»            | 2020 | praksis         | ikke oppfylt | tilsyn etter 2019 teller ikke |
      | barnehagen «Solsikken barnehage» | 2019 | ingen           | ikke oppfylt | tilsyn uten avvik          |

  Scenario: Uten tilsyn er K3 ikke oppfylt, men uoppgitte tilsyn er ukjent
    Gitt kommunen har «tilsyn» satt til «ingen»
    Og skolen «Nordby skole» har «tilsyn» satt til «ukjent»
    Når søknaden vurderes
    Så er kriteriene:
      | kriterium | for                 | status       |
      | K3        | kommunen            | ikke oppfylt |
      | K3        | Nordby skole        | ukjent       |
      | K3        | Solsikken barnehage | ukjent       |
    Og mangler K3 for «Nordby skole» opplysningen «schools[0].supervision»

  Scenario: Avvik hos én teller ikke for de andre
    Gitt skolen «Nordby skole» har tilsyn:
      | år   | avvik   |
      | 2017 | praksis |
    Og kommunen har «tilsyn» satt til «ingen»
    Og barnehagen «Solsikken barnehage» har «tilsyn» satt til «ingen»
    Når søknaden vurderes
    Så er kriteriene:
      | kriterium | for                 | status       |
      | K3        | Nordby skole        | oppfylt      |
      | K3        | kommunen            | ikke oppfylt |
      | K3        | Solsikken barnehage | ikke oppfylt |

  Scenario: Forklaringen lister tilsynene med avvik på norsk
    Gitt kommunen har tilsyn:
      | år   | avvik            |
      | 2014 | system           |
      | 2018 | praksis, rutiner |
    Når søknaden vurderes
    Så er K3 for kommunen «oppfylt»
    Og nevner forklaringen av K3 for kommunen «2018 (praksis og rutiner)»

  Scenario: Et avvik som står to ganger, nevnes én gang
    Gitt kommunen har tilsyn:
      | år   | avvik          |
      | 2018 | system, system |
    Når søknaden vurderes
    Så er K3 for kommunen «oppfylt»
    Og nevner forklaringen av K3 for kommunen «2018 (system)»

  Scenario: Uoppgitte tilsyn nevnes med feltets norske navn
    Gitt kommunen har «tilsyn» satt til «ukjent»
    Når søknaden vurderes
    Så er K3 for kommunen «ukjent»
    Og nevner forklaringen av K3 for kommunen «Mangler: tilsynene.»
