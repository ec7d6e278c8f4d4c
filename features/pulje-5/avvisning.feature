# language: no
@avvisning
Egenskap: Søknader med feil avvises hele
  En søknad med feil blir ikke vurdert – heller ikke delvis. Svaret lister hver feil med
  feltet den gjelder (slik feltet heter i søknadsformatet, f.eks. «schools[0].org_number»
  for den første skolens organisasjonsnummer), en fast feilkode og en melding på norsk.

  Feilkodene som vises her: BAD_ORG_NUMBER (feil kontrollsiffer i organisasjonsnummeret),
  DUPLICATE_ORG_NUMBER (samme organisasjonsnummer to ganger), UNKNOWN_COUNTY (fylket er
  ikke med i regelsettet), UNKNOWN_ROUND (ukjent runde), MUNICIPALITY_NOT_IN_COUNTY
  (kommunenummeret begynner ikke med fylkesnummeret), DUPLICATE_YEAR (samme år to ganger i
  en skoles mobbetall), BAD_FORMAT, BAD_DATE, BAD_TYPE, OUT_OF_RANGE (tall eller år utenfor
  lovlig område, også året i mottatt-datoen) og UNKNOWN_FIELD (felt som ikke finnes).

  Bakgrunn:
    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20
    Og søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | ja       |

  Abstrakt Scenario: En feil verdi avvises med feltet og en feilkode
    Gitt <hvem> har «<felt>» satt til «<verdi>»
    Når søknaden vurderes
    Så avvises søknaden med feilen «<kode>» i feltet «<sti>»

    Eksempler:
      | hvem                  | felt     | verdi     | kode           | sti                   |
      | skolen «Nordby skole» | org.nr   | 974760674 | BAD_ORG_NUMBER | schools[0].org_number |
      | skolen «Nordby skole» | org.nr   | 97476067  | BAD_ORG_NUMBER | schools[0].org_number |
      | søknaden              | fylke    | 99        | UNKNOWN_COUNTY | county                |
      | søknaden              | fylke    | 5         | BAD_FORMAT     | county                |
      | søknaden              | runde    | pulje-9   | UNKNOWN_ROUND  | round                 |
      | søknaden              | mottatt  | 2020-02-30 | BAD_DATE      | received              |
      | kommunen              | motivert | kanskje   | BAD_TYPE       | municipality.motivated |
      | søknaden              | mottatt  | 0001-01-01 | OUT_OF_RANGE  | received              |
      | kommunen              | kommunenummer | 1804 | MUNICIPALITY_NOT_IN_COUNTY | municipality.number |

  Scenario: Alle feilene listes på én gang
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2019 | 120     | 100  |
      | 1999 | 5,0     | 100  |
    Når søknaden vurderes
    Så avvises søknaden med feilene:
      | felt                           | kode         |
      | schools[0].bullying[0].percent | OUT_OF_RANGE |
      | schools[0].bullying[1].year    | OUT_OF_RANGE |

  Scenario: To mobbetall for samme år avvises, for ellers ville rekkefølgen avgjøre
    Gitt skolen «Nordby skole» har mobbetall:
      | år   | prosent | svar |
      | 2019 | 12,0    | 100  |
      | 2019 | 3,0     | 100  |
    Når søknaden vurderes
    Så avvises søknaden med feilen «DUPLICATE_YEAR» i feltet «schools[0].bullying[1].year»

  Scenario: To skoler med samme organisasjonsnummer avvises
    Gitt søknaden har skolene:
      | skole        | motivert |
      | Nordby skole | nei      |
    Når søknaden vurderes
    Så avvises søknaden med feilen «DUPLICATE_ORG_NUMBER» i feltet «schools[1].org_number»

  Scenario: Et ukjent felt avvises, og meldingen foreslår det riktige
    Gitt søknaden har i tillegg feltet «municipality.motivatd» med verdien «true»
    Når søknaden vurderes
    Så avvises søknaden med feilen «UNKNOWN_FIELD» i feltet «municipality.motivatd»
    Og nevner feilmeldingen for «municipality.motivatd» «Mente du «motivated»?»

  Scenario: Meldingen forklarer feilen på norsk
    Gitt skolen «Nordby skole» har «org.nr» satt til «974760674»
    Når søknaden vurderes
    Så avvises søknaden
    Og nevner feilmeldingen for «schools[0].org_number» «har feil kontrollsiffer»
