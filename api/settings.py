"""Settings: the one place that reads the environment (variables prefixed `UTVALG_`)."""

# pydantic models: no postponed annotations (docs/ARCHITECTURE.md, «Start-up»)

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.rounds import PROJECT_ROOT, Layout

Role = Literal["reader", "caseworker", "approver", "admin"]
# lowest first: each role may do everything the roles before it may (CONTRACT section 8)
ROLES: tuple[Role, ...] = ("reader", "caseworker", "approver", "admin")


@dataclass(frozen=True)
class ApiKey:
    """One configured API key: a name safe to log and store, its role, and the secret."""

    name: str
    role: Role
    secret: str

    def __repr__(self) -> str:
        # never print the secret, not even in a traceback
        return f"ApiKey(name={self.name!r}, role={self.role!r})"


class FromEnvironment(BaseModel):
    """A model whose fields are read from environment variables `{env_prefix}{FIELD}`.

    As pydantic-settings' BaseSettings did for these flat fields (names in any case, values
    validated as pydantic does a string, defaults validated too, given values over the
    environment), without its import: pydantic-settings brings asyncio, ssl, email and csv
    along, about a quarter of the start-up of `utvalg evaluate`.
    """

    # defer_build: the validator is built when the first instance is made, not at import, so
    # a command that reads one folder alone (`utvalg evaluate`, read_alone) never builds it
    model_config = ConfigDict(extra="ignore", validate_default=True, defer_build=True)
    env_prefix: ClassVar[str] = ""

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**type(self).environment_values(), **values})

    @classmethod
    def environment_values(cls) -> dict[str, str]:
        """The fields set in the environment, by field name, as the variables' texts."""
        prefix = cls.env_prefix.lower()
        fields = cls.model_fields
        return {
            name: value
            for key, value in os.environ.items()
            if key.lower().startswith(prefix) and (name := key[len(prefix) :].lower()) in fields
        }

    @classmethod
    def read_alone(cls, name: str) -> Any:
        """One text or path field as validating would give it, without reading the others.

        For a command that needs nothing else: building the validator and checking every
        setting costs more than the command (`utvalg evaluate`). Validation does no more to a
        text than keep it, or to a path than `Path(text)`; other types are refused here.
        """
        info = cls.model_fields[name]
        kinds = set(get_args(info.annotation)) - {type(None)} or {info.annotation}
        if not kinds <= {str, Path}:
            raise TypeError(f"{cls.__name__}.{name} must be validated: use {cls.__name__}()")
        text = cls.environment_values().get(name)
        if text is None:
            return info.get_default(call_default_factory=True)
        return Path(text) if Path in kinds else text


class Settings(FromEnvironment):
    """Configuration of the service, read from `UTVALG_*` environment variables."""

    env_prefix = "UTVALG_"

    database_url: str = Field(
        default="",
        description="SQLAlchemy-URL; tom betyr SQLite-fila var/utvalg.db.",
    )
    rules_dir: Path = Field(
        default=PROJECT_ROOT / "rules",
        description="Mappe med regelsett (én undermappe per runde) eller ett regelsett.",
    )
    features_dir: Path | None = Field(
        default=None,
        description="Scenarioene, én undermappe per runde; tom betyr features/ ved siden av "
        "regelmappen.",
    )
    examples_dir: Path | None = Field(
        default=None,
        description="Eksempelsøknadene, én undermappe per runde: prøves med nye regler før "
        "omlasting, og vurderes inn i loggen av `make run`. Tom betyr examples/ ved siden av "
        "regelmappen.",
    )
    docs_dir: Path = Field(
        default=Path("var/dokumentasjon"),
        description="Den levende dokumentasjonen (`utvalg docs --out MAPPE`), vist på "
        "/dokumentasjon/ i nettsidene når mappen finnes.",
    )
    api_keys: str = Field(
        default="",
        description="API-nøkler: `navn:rolle:nøkkel` eller `rolle:nøkkel`, skilt med komma.",
        repr=False,
    )
    workers: int = Field(default=0, ge=0, description="Arbeidsprosesser; 0 = én per kjerne.")
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_units: int = Field(default=500, ge=1)
    max_batch: int = Field(default=1000, ge=1)
    max_list_limit: int = Field(default=500, ge=1)
    eval_timeout_seconds: float = Field(default=30.0, gt=0)
    request_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Fristen for hver forespørsel: har svaret ikke begynt innen så mange "
        "sekunder, avbrytes den med 503.",
    )
    max_batch_per_worker_call: int = Field(default=16, ge=1)
    watch_interval_seconds: float = Field(default=1.0, gt=0)
    # how often a request may check the database for a rule version another instance put in
    # force: at most one (synchronous, indexed) query per interval, not one per request
    rules_refresh_seconds: float = Field(default=1.0, ge=0, le=3600)
    watch: bool = Field(default=False, description="Følg med på regelmappa og last om ved endring.")
    seed_examples: bool = Field(
        default=False, description="Vurder eksempelsøknadene inn i loggen ved oppstart."
    )
    allowed_hosts: str = Field(
        default="",
        description="Vertsnavnene tjenesten svarer på (Host-headeren), skilt med komma. Tom: "
        "uten API-nøkler 127.0.0.1, localhost, ::1 og adressen `utvalg serve` lytter på; med "
        "nøkler alle.",
    )
    bind_host: str = Field(
        default="", description="Adressen `utvalg serve` lytter på (settes av serve selv)."
    )
    max_header_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        description="Høyeste samlede størrelse på request-linjen og "
        "headerne i byte; større gir 431.",
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Tid en klient har til å sende hele headeren."
    )
    body_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Tid en klient har til å sende hele innholdet."
    )
    test_cheap_passwords: bool = Field(
        default=False,
        description="Kun for tester: raske (svake) passordhasher, så testene ikke venter.",
    )
    test_kill_switch: bool = Field(
        default=False,
        description="Kun for tester: headeren X-Utvalg-Test-Kill dreper en arbeidsprosess.",
    )

    @field_validator("api_keys")
    @classmethod
    def _keys_parse(cls, value: str) -> str:
        parse_api_keys(value)  # raise early with a clear message
        return value

    def layout(self, rules: Path | None = None) -> Layout:
        """Where the rounds' rules, scenarios and examples are (for `rules`, else rules_dir)."""
        return Layout.beside(rules or self.rules_dir, self.features_dir, self.examples_dir)

    @classmethod
    def layout_alone(cls, rules: Path | None = None) -> Layout:
        """`Settings().layout(rules)`, reading the three folders' settings alone (read_alone)."""
        folders = ("rules_dir", "features_dir", "examples_dir")
        return cls.model_construct(**{f: cls.read_alone(f) for f in folders}).layout(rules)

    def resolved_database_url(self) -> str:
        """The database URL in use: UTVALG_DATABASE_URL, else SQLite under var/."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path('var/utvalg.db').resolve()}"

    @classmethod
    def database_url_alone(cls) -> str:
        """`Settings().resolved_database_url()`, reading that setting alone (read_alone)."""
        return cls.model_construct(
            database_url=cls.read_alone("database_url")
        ).resolved_database_url()

    def keys(self) -> list[ApiKey]:
        """The configured API keys."""
        return parse_api_keys(self.api_keys)

    def host_names(self) -> frozenset[str] | None:
        """The host names requests may name in `Host`; None when any host is served."""
        given = {h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()}
        if given:
            return frozenset(given)
        if self.keys():
            return None  # a keyed server is reached by whatever name its operators give it
        # open (no keys): loopback only, so a DNS-rebound name cannot reach the service
        loopback = {"127.0.0.1", "localhost", "::1"}
        if self.bind_host:
            loopback.add(self.bind_host.strip("[]").lower())
        return frozenset(loopback)

    def worker_count(self) -> int:
        """How many evaluation worker processes to run."""
        return self.workers or max(1, os.cpu_count() or 1)


class ScenarioRun(FromEnvironment):
    """One run of the scenario suite on one round: set by the runner for its pytest process.

    Unset (as in `make test`), the suite runs every round's scenarios against its own rules.
    """

    env_prefix = "UTVALG_SCENARIO_"

    rules: Path | None = Field(default=None, description="The one ruleset folder under test.")
    features: Path | None = Field(default=None, description="That round's own feature files.")
    log: Path | None = Field(default=None, description="Where the step layer logs what it saw.")

    def environment(self) -> dict[str, str]:
        """These settings as the environment variables that carry them to a subprocess."""
        return {
            f"{self.env_prefix}{name}".upper(): str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }


def parse_api_keys(text: str) -> list[ApiKey]:
    """Parse `name:role:secret` / `role:secret` entries separated by commas or whitespace."""
    out: list[ApiKey] = []
    for entry in text.replace(",", " ").split():
        parts = entry.split(":")
        if len(parts) == 2:
            role, secret = parts
            name = "nøkkel-" + hashlib.sha256(secret.encode()).hexdigest()[:8]
        elif len(parts) == 3:
            name, role, secret = parts
        else:
            raise ValueError(
                "UTVALG_API_KEYS: hver nøkkel skrives `navn:rolle:nøkkel` eller `rolle:nøkkel`."
            )
        if role not in ROLES:
            raise ValueError(
                f"UTVALG_API_KEYS: ukjent rolle «{role}» for {name}; tillatt: {', '.join(ROLES)}."
            )
        if not secret.isascii() or not secret.isprintable():
            raise ValueError(
                f"UTVALG_API_KEYS: nøkkelen for {name} kan bare ha synlige ASCII-tegn "
                "(den sendes i en HTTP-header)."
            )
        if len(secret) < 16:
            raise ValueError(f"UTVALG_API_KEYS: nøkkelen for {name} er kortere enn 16 tegn.")
        if any(k.name == name for k in out):
            raise ValueError(f"UTVALG_API_KEYS: navnet {name} står flere ganger.")
        out.append(ApiKey(name, role, secret))
    return out
