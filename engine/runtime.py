"""The one gateway to durable-rules: register single-pattern rules, assert facts, collect matches.

This is the only module of the project that imports `durable`. Its C core (2.0.28, the last
release) crashes the process or silently misbehaves on inputs that look harmless, so everything
that reaches it is checked here first. Each workaround below answers a behaviour measured
with this build (the team's durable-rules notes; tests/engine/test_runtime.py pins each):

- The standard `Host` starts two dispatch threads that race with normal calls (wrong results,
  segfaults), and its Python layer JSON-encodes the state and wraps every match in objects
  for each action: this module talks to the C core directly (`durable_rules_engine`, the
  functions `durable.engine` itself calls, with the same rule JSON), no threads, no host.
  Each stage is one `assert_facts` batch; its matches are read from the C core's action
  messages (`start_action_for_state`, `complete_and_start_action`) without the state's
  `update_state` round trip (no rule reads the session state).
- A fact that matches no rule makes the whole batch raise `MessageNotHandledException`, and
  `delete_state` on a session in which no action ran segfaults: a catch-all rule on `t` (every
  fact has one) with the lowest priority guarantees an action for every fact. If a batch still
  fails before any action ran, a sentinel fact is asserted before `delete_state`.
- Asserting an empty batch segfaults: empty batches are never sent.
- Sessions are found by a 32-bit FNV-1a hash of the sid: one uuid4 sid per evaluation,
  `delete_state` in `finally`, and the state the engine returns must carry our sid.
- Fact ids are hashed the same way: two different ids with the same hash in one session raise
  `MessageObservedException`. The engine only ever sees the ids "f0", "f1", ... (no collisions
  among them, pinned by a test); the caller's ids are mapped back in Python.
- At most 1024 live sessions per ruleset (the 1025th raises MemoryError for good).
- `durable.engine` swallows exceptions in actions into `state["exception"]`; here an error
  while reading an action's matches abandons the action (the C core would keep the session
  locked) and raises RuleRuntimeError.
- A condition object with several keys uses only its first key; cross-pattern references
  overflow a heap buffer; a node with 512 or more successors hangs the process (an $or of 512
  alternatives, 511 rules testing one field); more than 256 rules ending on one node is
  refused (error 108): conditions are validated at registration.
- A condition (or $or alternative) made only of `$nex` tests hangs the process on the first
  assert: such conditions get a leading `{"$ex": {"t": 1}}`, true for every fact.
- Floats written with an exponent by `json.dumps` (abs >= 1e16 or < 1e-4, e.g. 1e-05) segfault
  the C JSON parser; integers beyond 64 bits are compared wrongly; a fact with about 255
  properties (nested ones counted, list items not) segfaults: such values are refused.
- Equality is typed loosely ("5" == 5, 1 == true, "true" == true): callers normalise values.
- Each ruleset holds C memory (~60 KB) until `close()` deletes it.
- The C core never releases the GIL; a lock serialises evaluations.
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple
from uuid import uuid4

import durable_rules_engine as _core  # type: ignore[import-not-found]
import orjson

__all__ = [
    "MAX_FACT_PROPERTIES",
    "MAX_FACTS",
    "Match",
    "RuleRuntime",
    "RuleRuntimeError",
]

MAX_FACT_PROPERTIES: Final = 200
"""Most properties a fact may have, nested ones counted (the C core crashed at 255)."""

MAX_FACTS: Final = 10_000
"""Most facts one evaluation may assert (both stages together)."""

_CAP: Final = MAX_FACTS
# `cap`, measured with facts asserted in one `assert_facts` batch (the tests pin it): with
# `cap: N` the action gets the rule's matches as a list in `c.m`, up to N per call (cap 3 and
# 5 matches: calls with 3 and 2); facts asserted later in the same session (stage 2) fire it
# again with only the new matches, never the old ones. `count: N` instead fires only once
# exactly N matches exist (count 1000 with 5 matches: no call; count 3 with 5: one call, 2
# matches never delivered), so it loses matches. Without either: one call per match. With
# cap = MAX_FACTS each rule's action runs at most once per stage: benchmarks/runtime_micro.py
# (10 rules, 20 facts, ~31 matches) ran ~3,050 evaluations/s against ~1,550 with cap 1.
_CATCH_ALL: Final = "$catch_all"
_CATCH_ALL_PRI: Final = 1_000_000  # lower runs first: the catch-all runs last
_CATCH_ALL_MESSAGE: Final = '{"' + _CATCH_ALL + '":'  # how the C core starts its action message
# a match of a flat fact in an action message (see RuleRuntime._collect_flat)
_MATCHED_ID: Final = re.compile(r'\{"m":\{"id":"(f[0-9]+)"')
_SENTINEL: Final = {"id": "s", "t": "$sentinel"}
_RULES_OK: Final = 0
# the C core's answers to a batch besides 0, as durable.engine.Ruleset._handle_result reads them
_RESULT_CODES: Final = {
    1: "MessageNotHandledException: a fact matched no rule",
    2: "MessageObservedException: a fact id was asserted twice",
    3: "the engine deferred the batch",
}
_MAX_LEAKED: Final = 256
_MAX_DEPTH: Final = 100
_MAX_FANOUT: Final = 400  # a node with 512 successors hung the process
_MAX_RULES_PER_NODE: Final = 200  # 257 rules ending on one node: error 108
_MAX_PATHS_PER_RULE: Final = 4_096
_INT64: Final = 2**63 - 1
_RESERVED_FIELDS: Final = frozenset({"id", "sid"})

_LOGICAL: Final = frozenset({"$and", "$or"})
_EXISTS: Final = frozenset({"$ex", "$nex"})
_COMPARE: Final = frozenset({"$gt", "$gte", "$lt", "$lte", "$neq"})
_REGEX: Final = frozenset({"$mt", "$imt"})
_ITEMS: Final = frozenset({"$iany", "$iall"})
_ARITHMETIC: Final = frozenset({"$add", "$sub", "$mul", "$div"})


class Match(NamedTuple):
    """One rule matched one fact: the rule name as registered and the fact's `id`.

    A tuple: made, hashed and sorted (rule, then fact id) in C, not by Python methods.
    """

    rule: str
    fact_id: str


_new_tuple = tuple.__new__


class RuleRuntimeError(Exception):
    """The engine failed: an action raised, or durable-rules reported an error."""


class FactRefused(ValueError):
    """A fact holds a value the C core would crash on or misread: the input's fault."""


@dataclass
class _Session:
    """The Python side of one evaluation: engine id -> caller id, and the matches so far."""

    ids: dict[str, str] = field(default_factory=dict)
    matches: set[Match] = field(default_factory=set)
    asserted: bool = False
    actions_before: int = 0
    flat: bool = True  # every fact so far holds only scalars (no mapping, no list)


class RuleRuntime:
    """One registered ruleset of single-pattern rules, evaluated in a fresh session per call."""

    def __init__(self, name: str, conditions: Mapping[str, Mapping[str, Any]]) -> None:
        """Validate and register `conditions` (rule name -> one condition) as ruleset `name`.

        Raises ValueError for a condition durable-rules would misread, crash or hang on, and
        RuleRuntimeError if the engine refuses the ruleset.
        """
        if not isinstance(name, str) or not name or "$" in name:
            # durable-rules turns names containing "$state" / "$flow" into charts
            raise ValueError(f"ruleset name must be a non-empty string without '$': {name!r}")
        if not isinstance(conditions, Mapping):
            raise ValueError("conditions must map rule names to conditions")
        registered: dict[str, dict[str, Any]] = {}
        for rule, condition in conditions.items():
            if not isinstance(rule, str) or not rule or rule.startswith("$"):
                raise ValueError(
                    f"rule name must be a non-empty string not starting with '$': {rule!r}"
                )
            if not isinstance(condition, Mapping):
                raise ValueError(f"rule {rule!r}: the condition must be a mapping")
            copied = copy.deepcopy(dict(condition))
            _check_condition(copied, rule, "the condition", in_items=False)
            if _absence_only(copied):
                # a chain made only of $nex tests hangs the engine; every fact has "t"
                copied = {"$and": [{"$ex": {"t": 1}}, copied]}
            registered[rule] = copied
        catch_all: dict[str, Any] = {"$ex": {"t": 1}}
        _check_network({**registered, _CATCH_ALL: catch_all})

        self._name = name
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._closed = False
        self._leaked = 0
        self._actions = 0
        self._sessions: dict[str, _Session] = {}
        self._rules = frozenset(registered)
        # the rule JSON `durable.engine.Ruleset` would give the C core (without "run")
        definition: dict[str, dict[str, Any]] = {
            rule: {"all": [{"m": condition}], "cap": _CAP} for rule, condition in registered.items()
        }
        definition[_CATCH_ALL] = {"all": [{"m": catch_all}], "pri": _CATCH_ALL_PRI, "cap": _CAP}
        try:
            self._handle: int = _core.create_ruleset(
                name, json.dumps(definition, ensure_ascii=False)
            )
        except Exception as exc:
            raise RuleRuntimeError(
                f"durable-rules refused ruleset {name!r}: {_detail(exc)}"
            ) from exc

    def evaluate(
        self,
        facts: Sequence[Mapping[str, Any]],
        then: Callable[[list[Match]], Sequence[Mapping[str, Any]]] | None = None,
    ) -> list[Match]:
        """Assert `facts` in a fresh session and return every (rule, fact) match, sorted, once.

        Each fact needs a unique non-empty str "id" and a non-empty str type "t"; keys whose
        value is None are dropped (unknown = absent). If `then` is given it is called with the
        first-stage matches and the facts it returns are asserted in the same session (their
        ids must differ from the first stage's); `then` runs under the runtime's lock and must
        not call this runtime. Raises FactRefused (a ValueError) for a refused fact and
        RuleRuntimeError when an action raised or the engine reported an error.
        """
        if self._owner == threading.get_ident():
            raise RuleRuntimeError("evaluate() called again from inside its own `then` callback")
        with self._lock:
            self._owner = threading.get_ident()
            try:
                return self._evaluate(facts, then)
            finally:
                self._owner = None

    def close(self) -> None:
        """Delete the ruleset from the C core (frees its memory); later evaluations raise."""
        if self._owner == threading.get_ident():
            raise RuleRuntimeError("close() called from inside a `then` callback")
        with self._lock:
            if self._closed:
                return
            self._closed = True
            _core.delete_ruleset(self._handle)

    # -- internals -------------------------------------------------------------------------

    def _evaluate(
        self,
        facts: Sequence[Mapping[str, Any]],
        then: Callable[[list[Match]], Sequence[Mapping[str, Any]]] | None,
    ) -> list[Match]:
        if self._closed:
            raise RuleRuntimeError(f"ruleset {self._name!r} is closed")
        if self._leaked >= _MAX_LEAKED:
            raise RuleRuntimeError(
                f"{self._leaked} sessions of ruleset {self._name!r} could not be deleted; "
                "build a new RuleRuntime before the engine's 1024-session limit breaks it"
            )
        sid = uuid4().hex
        session = _Session(actions_before=self._actions)
        completed = False
        self._sessions[sid] = session
        try:
            self._assert(sid, session, _prepare(facts, sid, session))
            if then is not None:
                more = then(sorted(session.matches))
                self._assert(sid, session, _prepare(more, sid, session))
            result = sorted(session.matches)
            completed = True
            return result
        finally:
            try:
                self._end(sid, session, raise_errors=completed)
            finally:
                del self._sessions[sid]

    def _assert(self, sid: str, session: _Session, batch: list[dict[str, Any]]) -> None:
        """One stage: assert the batch, then run its actions in the C core, reading matches."""
        if not batch:
            return  # an empty batch segfaults the engine
        session.asserted = True
        try:
            code, offset = _core.assert_facts(self._handle, _dumps(batch))
        except Exception as exc:
            raise RuleRuntimeError(f"durable-rules failed: {_detail(exc)}") from exc
        if code != _RULES_OK:
            # what durable.engine raises as MessageNotHandled/MessageObserved, or a deferral
            raise RuleRuntimeError(
                f"durable-rules failed: {_RESULT_CODES.get(code, f'result code {code}')}"
            )
        self._run_actions(sid, session, offset)

    def _run_actions(self, sid: str, session: _Session, offset: int) -> None:
        """Take every pending action of the session's state, record its matches, complete it."""
        try:
            started = _core.start_action_for_state(self._handle, offset)
        except Exception as exc:
            raise RuleRuntimeError(f"durable-rules failed: {_detail(exc)}") from exc
        if started is None:
            raise RuleRuntimeError("durable-rules ran no action (returned None)")
        state, messages = started
        try:
            answered = orjson.loads(state).get("sid")
            if answered != sid:
                raise RuleRuntimeError(
                    f"durable-rules answered for session {answered!r} "
                    f"instead of {sid!r} (32-bit sid hash collision with a session that was "
                    "not deleted)"
                )
            while messages is not None:
                self._actions += 1
                self._collect(messages, session)
                messages = _core.complete_and_start_action(self._handle, offset)
        except BaseException:
            # an action left open keeps the session locked; release it before raising
            try:
                _core.abandon_action(self._handle, offset)
            except Exception:
                pass  # the error being raised says more than this one
            raise

    def _collect(self, messages: str, session: _Session) -> None:
        """Record the matches of one action message: {rule: [{"m": fact}, ...]}."""
        if messages.startswith(_CATCH_ALL_MESSAGE):
            return  # the catch-all only guarantees an action; its matches mean nothing
        try:
            if session.flat and self._collect_flat(messages, session):
                return
            for rule, found in orjson.loads(messages).items():
                if rule == _CATCH_ALL:
                    continue
                ids = session.ids
                add = session.matches.add
                for item in found if isinstance(found, list) else (found,):
                    fact = item["m"] if len(item) == 1 and "m" in item else item
                    add(_new_tuple(Match, (rule, ids[fact["id"]])))
        except Exception as exc:
            raise RuleRuntimeError(f"a rule action raised: {_detail(exc)}") from exc

    def _collect_flat(self, messages: str, session: _Session) -> bool:
        """Record the matches of a message about flat facts without parsing it; False if unsure.

        The C core writes `{"rule":[{"m":{"id":"f3",...}},...]}` with each fact's properties
        in the order asserted (`_prepare` puts "id" first). When every fact holds only
        scalars, `{"m":` and `],"` cannot occur elsewhere (a quote inside a JSON string is
        escaped), so the rule name is the text before `":[`, and each match's id follows
        `{"m":{"id":"`. The rule must be one of ours and every `{"m":` must have given an
        id; otherwise the message is parsed. Parsing took most of an evaluation's JSON time.
        """
        end = messages.find('":[', 2)
        if end < 0 or not messages.startswith('{"') or '],"' in messages:
            return False
        rule = messages[2:end]
        if rule not in self._rules:
            return False
        found = _MATCHED_ID.findall(messages, end)
        if not found or len(found) != messages.count('{"m":', end):
            return False
        ids = session.ids
        add = session.matches.add
        try:
            for engine_id in found:
                # tuple.__new__: the NamedTuple's own __new__ is a Python function
                add(_new_tuple(Match, (rule, ids[engine_id])))
        except KeyError:
            return False  # an id we did not assert: let the parser and its error speak
        return True

    def _end(self, sid: str, session: _Session, *, raise_errors: bool) -> None:
        if not session.asserted:
            return
        try:
            if self._actions == session.actions_before:
                # delete_state segfaults on a session in which no action ran: run one
                self._assert(sid, session, [{**_SENTINEL, "sid": sid}])
            if self._actions == session.actions_before:
                raise RuleRuntimeError("no action ran, so the session cannot be deleted safely")
            _core.delete_state(self._handle, sid)
        except Exception as exc:
            self._leaked += 1
            if raise_errors:
                raise RuleRuntimeError(f"could not delete session {sid}: {_detail(exc)}") from exc


def _dumps(batch: list[dict[str, Any]]) -> str:
    """A batch as the C core reads it: JSON, UTF-8 text kept (as durable.engine sends it).

    orjson writes the same JSON as `json.dumps(..., ensure_ascii=False)` for what `_prepare`
    lets through (str keys, 64-bit ints, floats that Python's repr writes without an
    exponent: orjson switches to an exponent at the same bounds, pinned by a test) and, with
    `orjson.loads` for the matches, took most of the Python JSON time of an evaluation.
    """
    return orjson.dumps(batch).decode()


# -- facts -------------------------------------------------------------------------------------


def _prepare(
    facts: Sequence[Mapping[str, Any]], sid: str, session: _Session
) -> list[dict[str, Any]]:
    """Validate facts and build what the engine sees: the sid, an engine id, no None values.

    Records engine id -> caller id in `session` only once the whole batch is valid.
    """
    if isinstance(facts, (str, bytes, Mapping)) or not isinstance(facts, Sequence):
        raise FactRefused("facts must be a sequence of mappings")
    if len(session.ids) + len(facts) > MAX_FACTS:
        raise FactRefused(f"more than {MAX_FACTS} facts in one evaluation")
    known = set(session.ids.values())
    batch: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    flat = True
    for position, fact in enumerate(facts):
        if fact.__class__ is not dict and not isinstance(fact, Mapping):  # ABC check: slow
            raise FactRefused(f"fact #{position} is not a mapping: {type(fact).__name__}")
        fact_id = fact.get("id")
        if not isinstance(fact_id, str) or not fact_id:
            raise FactRefused(f"fact #{position} needs a non-empty str 'id', got {fact_id!r}")
        if fact_id in known:
            raise FactRefused(f"fact {fact_id!r}: duplicate id")
        known.add(fact_id)
        kind = fact.get("t")
        if not isinstance(kind, str) or not kind:
            raise FactRefused(f"fact {fact_id!r} needs a non-empty str type 't', got {kind!r}")
        if "sid" in fact:
            raise FactRefused(f"fact {fact_id!r}: 'sid' is reserved for the engine session")
        cleaned = _clean_flat(fact)
        if cleaned is None:  # a mapping, a list, a float or a key not seen before: check all
            where = f"fact {fact_id!r}"
            cleaned, nested = _clean(fact, where, 1)
            flat = flat and not nested
            properties = _count_properties(cleaned) if nested else len(cleaned)
            if properties > MAX_FACT_PROPERTIES:
                raise FactRefused(
                    f"{where} has {properties} properties (nested ones counted); "
                    f"at most {MAX_FACT_PROPERTIES} are allowed"
                )
        engine_id = f"f{len(session.ids) + len(batch)}"
        ids[engine_id] = fact_id
        cleaned["id"] = engine_id
        cleaned["sid"] = sid
        batch.append(cleaned)
    session.ids.update(ids)
    session.flat = session.flat and flat
    return batch


_CHECKED_KEYS: set[str] = set()  # keys `_clean` let through (the same few field names recur)
_CHECKED_KEYS_MAX: Final = 10_000


def _clean_flat(fact: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fact without None values if it is flat and plain; None if `_clean` must check it.

    Plain: at most MAX_FACT_PROPERTIES keys, each one `_clean` has let through before, and
    str, bool or 64-bit int values (the facts an evaluation builds). One set lookup per key
    instead of its checks, and no error text made in advance: this runs for every fact.
    """
    if len(fact) > MAX_FACT_PROPERTIES:
        return None
    cleaned: dict[str, Any] = {}
    for key, item in fact.items():
        if key not in _CHECKED_KEYS:
            return None
        if item is None:
            continue
        kind = item.__class__
        if kind is str or kind is bool or (kind is int and -_INT64 - 1 <= item <= _INT64):
            cleaned[key] = item
        else:
            return None
    return cleaned


def _clean_mapping(value: Mapping[Any, Any], where: str, depth: int) -> dict[str, Any]:
    return _clean(value, where, depth)[0]


def _clean(value: Mapping[Any, Any], where: str, depth: int) -> tuple[dict[str, Any], bool]:
    """The mapping without None values, checked; and whether it holds a mapping or a list."""
    if depth > _MAX_DEPTH:
        raise FactRefused(f"{where}: nested deeper than {_MAX_DEPTH} levels")
    cleaned: dict[str, Any] = {}
    nested = False
    for key, item in value.items():
        if key.__class__ is not str or not key or key[0] == "$" or "." in key:
            _check_key(key, where)
        elif depth == 1 and key not in _CHECKED_KEYS:
            if len(_CHECKED_KEYS) >= _CHECKED_KEYS_MAX:
                _CHECKED_KEYS.clear()  # facts with ever new keys: keep the set bounded
            _CHECKED_KEYS.add(key)
        if item is None:
            continue  # unknown value = absent key ($ex treats null as existing)
        kind = item.__class__
        # the common scalars checked inline: a call per value was most of this function's cost
        if kind is str or kind is bool or (kind is int and -_INT64 - 1 <= item <= _INT64):
            cleaned[key] = item
        else:
            cleaned[key] = found = _clean_value(item, f"{where}: {key!r}", depth)
            nested = nested or isinstance(found, dict | list)
    return cleaned, nested


def _check_key(key: Any, where: str) -> None:
    """Refuse a key the engine cannot take: not a non-empty str, `$...` or dotted."""
    if not isinstance(key, str) or not key:
        raise FactRefused(f"{where}: keys must be non-empty strings, got {key!r}")
    if key.startswith("$") or "." in key:
        raise FactRefused(
            f"{where}: key {key!r} may not start with '$' (reserved by durable-rules) "
            "or contain '.' (conditions use dotted names for nested fields)"
        )


def _clean_value(value: Any, where: str, depth: int) -> Any:
    if isinstance(value, Mapping):
        return _clean_mapping(value, where, depth + 1)
    if isinstance(value, list):
        if depth + 1 > _MAX_DEPTH:
            raise FactRefused(f"{where}: nested deeper than {_MAX_DEPTH} levels")
        return [
            None if item is None else _clean_value(item, f"{where}[{index}]", depth + 1)
            for index, item in enumerate(value)
        ]
    return _check_scalar(value, where, FactRefused)


def _check_scalar(value: Any, where: str, refuse: type[ValueError] = ValueError) -> Any:
    """Return `value` if the C core handles it: str, bool, 64-bit int, float without exponent.

    Raises `refuse`: FactRefused for a fact's value, a plain ValueError for a condition's.
    """
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        if not -_INT64 - 1 <= value <= _INT64:
            raise refuse(f"{where}: integer {value} is outside the 64-bit range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or "e" in repr(value):
            raise refuse(
                f"{where}: float {value!r} cannot be passed to durable-rules (non-finite, or "
                "JSON would write it with an exponent, which crashes its parser); "
                "allowed are 1e-4 <= |x| < 1e16 and 0"
            )
        return value
    raise refuse(f"{where}: unsupported value of type {type(value).__name__}")


def _count_properties(value: Mapping[str, Any]) -> int:
    """Count keys, nested mappings' keys included; list items do not count in the C core."""
    count = len(value)
    for item in value.values():
        if isinstance(item, dict):
            count += _count_properties(item)
    return count


# -- conditions --------------------------------------------------------------------------------


def _check_condition(node: Any, rule: str, where: str, *, in_items: bool) -> None:
    """Refuse what durable-rules would misread (several keys), crash on, or not support."""
    key, value = _single(node, rule, where)
    here = f"{where} > {key}"
    if key in _LOGICAL:
        if not isinstance(value, list) or not value:
            raise ValueError(f"rule {rule!r}: {here} needs a non-empty list of conditions")
        for index, item in enumerate(value):
            _check_condition(item, rule, f"{here}[{index}]", in_items=in_items)
    elif key in _EXISTS:
        name, flag = _single(value, rule, here)
        _check_field(name, rule, here, in_items=in_items)
        if flag != 1 or isinstance(flag, bool):
            raise ValueError(f"rule {rule!r}: {here} must be {{field: 1}}")
    elif key in _COMPARE or key in _REGEX:
        name, operand = _single(value, rule, here)
        _check_field(name, rule, here, in_items=in_items)
        if key in _REGEX and not isinstance(operand, str):
            raise ValueError(f"rule {rule!r}: {here} needs a regular expression string")
        _check_operand(operand, rule, f"{here} > {name}", in_items=in_items)
    elif key in _ITEMS:
        name, condition = _single(value, rule, here)
        _check_field(name, rule, here, in_items=in_items)
        _check_condition(condition, rule, f"{here} > {name}", in_items=True)
    elif key.startswith("$") and not _is_item_field(key, in_items):
        raise ValueError(f"rule {rule!r}: unknown or unsupported operator {key!r} at {where}")
    else:
        _check_field(key, rule, where, in_items=in_items)
        _check_operand(value, rule, here, in_items=in_items)


def _check_operand(value: Any, rule: str, where: str, *, in_items: bool) -> None:
    """A right-hand side: a scalar, {"$m": field} (same fact), or arithmetic over those."""
    if isinstance(value, Mapping):
        if set(value) == {"$l", "$r"}:
            raise ValueError(f"rule {rule!r}: {where}: $l/$r only inside $add/$sub/$mul/$div")
        key, operand = _single(value, rule, where)
        if key == "$m":
            if not isinstance(operand, str):
                raise ValueError(f"rule {rule!r}: {where} > $m needs a field name")
            _check_field(operand, rule, f"{where} > $m", in_items=in_items)
        elif key in _ARITHMETIC:
            if not isinstance(operand, Mapping) or set(operand) != {"$l", "$r"}:
                raise ValueError(f"rule {rule!r}: {where} > {key} needs exactly $l and $r")
            for side in ("$l", "$r"):
                _check_operand(operand[side], rule, f"{where} > {key} > {side}", in_items=in_items)
        else:
            raise ValueError(
                f"rule {rule!r}: {where}: {{{key!r}: ...}} is not a value; references to other "
                "patterns are not supported (use {'$m': field} for a field of the same fact, "
                "and dotted names for nested fields)"
            )
    elif value is None or isinstance(value, list):
        raise ValueError(
            f"rule {rule!r}: {where}: cannot compare with {value!r} (use $nex for a missing "
            "value, $or of equalities for a set of values)"
        )
    else:
        _check_scalar(value, f"rule {rule!r}: {where}")


def _check_field(name: Any, rule: str, where: str, *, in_items: bool) -> None:
    if not isinstance(name, str) or not name or ".." in name or name.endswith("."):
        raise ValueError(f"rule {rule!r}: {where}: invalid field name {name!r}")
    if name.startswith("$") and not _is_item_field(name, in_items):
        raise ValueError(f"rule {rule!r}: {where}: {name!r} is an operator, not a field")
    if name.split(".", 1)[0] in _RESERVED_FIELDS:
        raise ValueError(f"rule {rule!r}: {where}: field {name!r} is reserved by the runtime")


def _is_item_field(name: str, in_items: bool) -> bool:
    return in_items and (name == "$i" or name.startswith("$i."))


def _single(node: Any, rule: str, where: str) -> tuple[str, Any]:
    """The one key and value of a condition object (durable-rules reads only the first key)."""
    if not isinstance(node, Mapping):
        raise ValueError(f"rule {rule!r}: {where}: expected an object, got {node!r}")
    if len(node) != 1:
        raise ValueError(
            f"rule {rule!r}: {where}: condition object has {len(node)} keys "
            f"{sorted(map(str, node))}; durable-rules would silently use only the first: "
            "write one key per object and combine with $and"
        )
    ((key, value),) = node.items()
    if not isinstance(key, str):
        raise ValueError(f"rule {rule!r}: {where}: key {key!r} is not a string")
    return key, value


def _absence_only(node: Mapping[str, Any]) -> bool:
    """Whether some $or alternative of the condition consists of $nex tests only."""
    ((key, value),) = node.items()
    if key == "$and":
        return all(_absence_only(item) for item in value)
    if key == "$or":
        return any(_absence_only(item) for item in value)
    return key == "$nex"


def _paths(node: Mapping[str, Any], rule: str) -> list[tuple[str, ...]]:
    """The condition as the engine builds it: one chain of tests per $or alternative."""
    ((key, value),) = node.items()
    if key == "$or":
        found = [path for item in value for path in _paths(item, rule)]
    elif key == "$and":
        found = [()]
        for item in value:
            following = _paths(item, rule)
            _check_path_count(len(found) * len(following), rule)
            found = [left + right for left in found for right in following]
    else:
        found = [(json.dumps(node, sort_keys=True, ensure_ascii=False),)]
    _check_path_count(len(found), rule)
    return found


def _check_path_count(count: int, rule: str) -> None:
    if count > _MAX_PATHS_PER_RULE:
        raise ValueError(
            f"rule {rule!r}: its $or alternatives expand to more than "
            f"{_MAX_PATHS_PER_RULE} chains of tests"
        )


def _check_network(conditions: Mapping[str, Mapping[str, Any]]) -> None:
    """Estimate the engine's test network (identical tests after identical tests are shared,
    $and keeps its order, $or branches) and refuse shapes measured to hang or be refused."""
    children: dict[tuple[str, ...], set[str]] = {}
    endings: dict[tuple[str, ...], int] = {}
    for rule, condition in conditions.items():
        for path in _paths(condition, rule):
            for depth in range(len(path)):
                children.setdefault(path[:depth], set()).add(path[depth])
            endings[path] = endings.get(path, 0) + 1
    for prefix, following in children.items():
        if len(following) > _MAX_FANOUT:
            raise ValueError(
                f"{len(following)} different tests follow {_describe(prefix)}; durable-rules "
                f"hangs at 512: at most {_MAX_FANOUT} are allowed (factor out a common test)"
            )
    for path, count in endings.items():
        if count > _MAX_RULES_PER_NODE:
            raise ValueError(
                f"{count} rule alternatives end on the same tests {_describe(path)}; "
                f"durable-rules refuses more than 256: at most {_MAX_RULES_PER_NODE} are allowed"
            )


def _describe(path: tuple[str, ...]) -> str:
    return " > ".join(path) if path else "the start"


def _detail(exc: BaseException) -> str:
    # durable's MessageNotHandledException / MessageObservedException keep their text in .message
    message = getattr(exc, "message", None) or str(exc) or repr(exc)
    return f"{type(exc).__name__}: {message}"
