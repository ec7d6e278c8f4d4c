# language: no
@FRIST
Egenskap: FRIST – Søknaden kom inn innen fristen
  Søknaden må være mottatt hos fylkesmannen senest på fylkets søknadsfrist. Fristen er
  1. februar 2020 i alle fylker unntatt Nordland (fylke 18), som har 14. februar 2020.
  En søknad som er mottatt på selve fristdagen, er i tide.

  Uten mottaksdato kan fristen ikke kontrolleres, og FRIST er ukjent. FRIST er et krav:
  ikke oppfylt gir utfallet «Ikke anbefalt», ukjent gir «Ufullstendig».

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20

  Abstrakt Scenario: Fristen er 1. februar 2020, og fristdagen er med
    Gitt søknaden har «mottatt» satt til «<mottatt>»
    Når søknaden vurderes
    Så er FRIST «<FRIST>»

    Eksempler:
      | mottatt    | FRIST        |
      | 2020-01-20 | oppfylt      |
      | 2020-02-01 | oppfylt      |
      | 2020-02-02 | ikke oppfylt |

  Abstrakt Scenario: Nordland har sin egen frist, 14. februar 2020
    Gitt en søknad fra Bodø kommune i fylke 18 mottatt <mottatt>
    Når søknaden vurderes
    Så er FRIST «<FRIST>»

    Eksempler:
      | mottatt    | FRIST        | hvorfor                                     |
      | 2020-02-10 | oppfylt      | etter 1. februar, men før Nordlands frist   |
      | 2020-02-14 | oppfylt      | på Nordlands fristdag                       |
      | 2020-02-15 | ikke oppfylt | dagen etter Nordlands frist                 |

  Scenario: Andre fylker har fristen 1. februar
    Gitt en søknad fra Oslo kommune i fylke 03 mottatt 2020-02-10
    Når søknaden vurderes
    Så er FRIST «ikke oppfylt»

  Scenario: Forklaringen sier hvor mange dager for sent søknaden kom
    Gitt søknaden har «mottatt» satt til «2020-02-05»
    Når søknaden vurderes
    Så er FRIST «ikke oppfylt»
    Og nevner forklaringen av FRIST «mottatt 5. februar 2020, 4 dager etter fristen 1. februar 2020»

  Scenario: Én dag for sent er «1 dag», ikke «1 dager»
    Gitt søknaden har «mottatt» satt til «2020-02-02»
    Når søknaden vurderes
    Så er FRIST «ikke oppfylt»
    Og nevner forklaringen av FRIST «2. februar 2020, 1 dag etter fristen»

  Scenario: Uten mottaksdato er FRIST ukjent
    Gitt søknaden har «mottatt» satt til «ukjent»
    Når søknaden vurderes
    Så er FRIST «ukjent»
    Og mangler FRIST opplysningen «received»
    Og nevner forklaringen av FRIST «Mangler: mottaksdatoen.»
