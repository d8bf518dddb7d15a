"""Synthetic coded interviews (``interviews.qdpx``): a REFI-QDA project as qualitative software exports it.

Who is interviewed. Per borough: practitioners drawn from the roster (social workers, senior social
workers, family support workers, clinicians), managers (the roster's supervisors) and family members
(IDs of their own). Everyone is interviewed at wave 1 (January-March 2015); most again at wave 2
(January-March 2016). One interview = one text source; one participant = one case.

What they say. The codebook holds programme themes for staff (confidence in practice, a shared
language, reflective supervision, access to clinicians, recording burden, time for direct work) and
for families (being listened to, clear and honest plans, changes of worker, help that fits the
family); some themes have sub-codes. Each interview mentions each theme with a probability set by who
is speaking, and each mention is a sentence of the transcript coded with the theme (or one of its
sub-codes). Planted patterns (``truth``):

* ``confidence``: practitioners mention *Confidence in practice* with probability ``p_confidence_trained``
  when systemically trained by the interview date (roster), ``p_confidence_untrained`` otherwise;
* ``shared_language``: staff (practitioners and managers) mention *A shared language* with probability
  ``p_language_wave1`` at wave 1 and ``p_language_wave2`` at wave 2;
* *Recording burden* has the same probability at both waves (the null: change 0);
* ``person_logit_sd``: people differ in what they talk about, and a person interviewed at both waves
  tends to raise the same themes twice. Each participant gets, for each theme, a propensity
  u ~ Normal(0, ``person_logit_sd``^2) on the logit scale, drawn once (from its own random stream,
  ``interviews.people``) and shared by their interviews: an interview mentions the theme with
  probability expit(logit(p) + delta(p) + u), where p is the planted probability for who is speaking,
  when (wave) and in what training state, and delta(p) is solved (Gauss-Hermite quadrature, 80 nodes)
  so that the mean over people is exactly p: E[expit(logit(p) + delta + u)] = p. The planted shares
  therefore stay the truth (mean-preserving; no Monte Carlo truth needed), and the person effect only
  correlates a person's interviews. Default :data:`PERSON_LOGIT_SD` = 1.5, a latent intra-person
  correlation of 1.5^2 / (1.5^2 + pi^2 / 3) = 0.41, in the range of the year-apart test-retest
  correlations of attitude items; for a theme with p = 0.5 at both waves the two interviews' mentions
  correlate about 0.3 (``within_person_correlation_p50`` in the truth record). 0 switches it off (the
  interviews of one person are then independent given wave and training, and the file is byte for
  byte the one written before the person effect existed);
* *Reflective supervision* and *Confidence in practice* are often coded on overlapping or the same
  segments, and so are *Recording burden* and *Time for direct work*: the co-occurrence network has a
  staff cluster and a family cluster.

Text: curly apostrophes, accented names and the odd emoji, so that character positions are exercised;
about one excerpt in five carries a personal detail (a name, a phone number, a street, a postcode) so
that the redaction of quotations is exercised. Sources alternate between inline ``PlainTextContent``
and files under ``sources/`` (``internal://``). The zip is written deterministically (fixed entry
dates and order): same seed, same bytes.
"""

from __future__ import annotations

import functools
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit, logit

from ..config import BOROUGHS
from ..ingest import file_sha256
from .roster import ABBREVIATIONS

FILENAME = "interviews.qdpx"
NS = "urn:QDA-XML:project:1.0"
Q = "{" + NS + "}"
WAVE_WINDOWS = {1: ("2015-01-12", "2015-03-20"), 2: ("2016-01-11", "2016-03-18")}
PRACTITIONER_ROLES = ("social_worker", "senior_social_worker", "family_support_worker", "clinician")

#: theme -> (description, sub-codes). Order = codebook order.
CODEBOOK = {
    "Confidence in practice": (
        "Feeling able to do the work: to hold risk, to talk with families, to stand by a view.",
        ("Confidence with families", "Confidence in court and conferences"),
    ),
    "A shared language": (
        "Systemic ideas and words used across the team: hypotheses, genograms, circular questions.",
        (),
    ),
    "Reflective supervision": (
        "Supervision that makes room to think about a family, individually or in a group.",
        ("Group supervision", "Case discussion with a clinician"),
    ),
    "Access to clinicians": ("Having a family therapist or clinical psychologist in or near the team.", ()),
    "Recording burden": ("Time and effort taken by case recording and forms.", ()),
    "Time for direct work": ("Time to see families and children, against time at a desk.", ()),
    "Being listened to": ("Families' sense that the worker heard and understood them.", ()),
    "Clear and honest plans": ("Families knowing what the plan is, why, and what would end involvement.", ()),
    "Changes of worker": ("Families' experience of social workers leaving or changing.", ()),
    "Help that fits the family": ("Help that matched what the family said it needed.", ()),
}
STAFF_THEMES = (
    "Confidence in practice",
    "A shared language",
    "Reflective supervision",
    "Access to clinicians",
    "Recording burden",
    "Time for direct work",
)
FAMILY_THEMES = ("Being listened to", "Clear and honest plans", "Changes of worker", "Help that fits the family")

#: Base probability that an interview mentions a theme, by participant type (planted ones set below).
P_MENTION = {
    "practitioner": {
        "Reflective supervision": 0.50,
        "Access to clinicians": 0.45,
        "Recording burden": 0.55,
        "Time for direct work": 0.35,
        "Being listened to": 0.10,
        "Clear and honest plans": 0.10,
        "Changes of worker": 0.05,
        "Help that fits the family": 0.10,
    },
    "manager": {
        "Confidence in practice": 0.50,
        "Reflective supervision": 0.60,
        "Access to clinicians": 0.50,
        "Recording burden": 0.55,
        "Time for direct work": 0.30,
        "Being listened to": 0.05,
        "Clear and honest plans": 0.10,
        "Changes of worker": 0.15,
        "Help that fits the family": 0.05,
    },
    "family_member": {
        "Confidence in practice": 0.0,
        "A shared language": 0.0,
        "Reflective supervision": 0.0,
        "Access to clinicians": 0.15,
        "Recording burden": 0.0,
        "Time for direct work": 0.0,
        "Being listened to": 0.60,
        "Clear and honest plans": 0.45,
        "Changes of worker": 0.35,
        "Help that fits the family": 0.40,
    },
}
P_CONFIDENCE = {"trained": 0.75, "untrained": 0.30}
P_LANGUAGE = {1: 0.25, 2: 0.65}
#: Probability that two co-mentioned linked themes are coded on the same or overlapping segments.
LINKED = {
    ("Reflective supervision", "Confidence in practice"): 0.7,
    ("Recording burden", "Time for direct work"): 0.7,
    ("Being listened to", "Help that fits the family"): 0.5,
}
#: Logit-scale SD of a participant's propensity to raise a theme, shared by their interviews.
PERSON_LOGIT_SD = 1.5
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(80)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()  # expectation over a standard normal
P_CONSENT = 0.7
P_WAVE2 = 0.85
P_PERSONAL = 0.2
P_SUBCODE = 0.5
P_EXTRA_CODE = 0.2
P_INLINE = 0.5

SENTENCES = {
    "Confidence in practice": [
        "I feel much more confident going into a family’s home now.",
        "I’m more sure of myself when I’m holding risk; I can say what I think and why.",
        "Honestly I feel able to stand by my view at conference now, which I didn’t before.",
    ],
    "A shared language": [
        "We all talk about hypotheses now, the whole team uses the same words.",
        "Genograms and circular questions are just how we talk in the unit.",
        "There’s a shared language — systemic ideas come up in every case discussion.",
    ],
    "Reflective supervision": [
        "Group supervision gives me space to think about a family before I act.",
        "In reflective supervision we slow down and look at the patterns.",
        "Supervision is the one place where I can think out loud about a case.",
    ],
    "Access to clinicians": [
        "Having the clinician in the unit means I can ask for a view the same day.",
        "The family therapist came on a joint visit and it changed the conversation.",
        "We can get a clinical psychologist’s opinion without a referral waiting list.",
    ],
    "Recording burden": [
        "The recording takes hours; I’m typing notes most evenings.",
        "The forms are long and the system is slow, so recording eats into everything.",
        "I spend more time on the computer than with the families, it’s the paperwork.",
    ],
    "Time for direct work": [
        "I want more time for direct work with the children.",
        "When I get time with a family it’s the best part of the job 🙂",
        "Direct work gets squeezed by everything else.",
    ],
    "Being listened to": [
        "She actually listened to me, nobody had done that before.",
        "For the first time I felt someone heard what we were saying.",
        "They listened to my son as well, not just to me.",
    ],
    "Clear and honest plans": [
        "I knew what the plan was and what would have to change for them to close the case.",
        "She was honest with me about what she was worried about, even when it was hard to hear.",
        "The plan was written down and we all knew who was doing what.",
    ],
    "Changes of worker": [
        "We’ve had four social workers in a year, you have to start again every time.",
        "Just when you trust someone they leave.",
        "Every new worker asks the same questions, it’s exhausting.",
    ],
    "Help that fits the family": [
        "The help was about what we needed, not what they had on offer.",
        "The parenting group fitted round the kids and it actually helped.",
        "They asked what would help, and then they did it.",
    ],
}
#: Sentences with a personal detail: the redaction helper must catch every one.
PERSONAL = {
    "staff": [
        "I rang Zoë’s mum on 07700 900{n:03d} straight after supervision.",
        "The family on Elm Road, W2, were the first where I tried a genogram.",
        "Mrs Okafor at number {n} told me the visit felt different.",
        "I emailed kayleigh.smith{n}@example.org after the meeting.",
    ],
    "family": [
        "Our worker Sarah Smith-Jones listened, and she rang me on +44 7700 900{n:03d}.",
        "Nanny Pat came to the meeting at 14 Elm Road and they listened to her too.",
        "me and our Kayleigh felt heard for once, even at the flat in SW6 1AB.",
        "She was born on 12/03/2009 and they still asked what she thought.",
    ],
}
FILLER = [
    "Interviewer: Can you tell me a bit more about that?",
    "Interviewer: What has been different this year?",
    "It’s hard to say really.",
    "That’s been the same for a while.",
    "Interviewer: How did that feel?",
    "I suppose it depends on the week.",
]


class _Guids:
    def __init__(self, rng):
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(bytes=self.rng.bytes(16), version=4))


@functools.lru_cache(maxsize=256)
def logit_shift(p: float, sd: float) -> float:
    """delta with E[expit(logit(p) + delta + sd Z)] = p, Z standard normal (Gauss-Hermite quadrature);
    0 when ``sd`` is 0 or ``p`` is 0 or 1 (a person effect cannot move a certainty)."""
    if sd <= 0 or not 0 < p < 1:
        return 0.0
    base = float(logit(p))
    f = lambda d: float(_GH_WEIGHTS @ expit(base + d + sd * _GH_NODES)) - p  # noqa: E731
    return float(optimize.brentq(f, -10 * sd - 1, 10 * sd + 1, xtol=1e-13))


def person_probability(p: float, u: float, sd: float) -> float:
    """Probability that one interview mentions a theme of planted marginal probability ``p``, for a
    person whose propensity on the logit scale is ``u`` (drawn from Normal(0, sd^2))."""
    if sd <= 0 or not 0 < p < 1:
        return p
    return float(expit(logit(p) + logit_shift(p, sd) + u))


def within_person_correlation(p: float, sd: float) -> float:
    """Correlation of two interviews' mentions of a theme by one person, both with marginal probability
    ``p``: Var(pi) / (p (1 - p)), pi = expit(logit(p) + delta + u) the person's probability."""
    if sd <= 0 or not 0 < p < 1:
        return 0.0
    pi = expit(logit(p) + logit_shift(p, sd) + sd * _GH_NODES)
    return float((_GH_WEIGHTS @ pi**2 - p**2) / (p * (1 - p)))


def _dates(rng, wave: int, n: int) -> list[pd.Timestamp]:
    start, end = (pd.Timestamp(x) for x in WAVE_WINDOWS[wave])
    return [start + pd.Timedelta(days=int(d)) for d in rng.integers(0, (end - start).days + 1, n)]


def _participants(ctx, rng) -> pd.DataFrame:
    prac = ctx.practitioners
    rows = []
    for slug, (name, _, _) in BOROUGHS.items():
        staff = prac[prac["borough"] == name]
        pool = staff[staff["role"].isin(PRACTITIONER_ROLES)]["practitioner_id"].tolist()
        mgr = staff[staff["role"] == "supervisor"]["practitioner_id"].tolist()
        for pid in sorted(rng.choice(pool, size=min(len(pool), ctx.n(14, 4)), replace=False)):
            rows.append((str(pid), "practitioner", name))
        for pid in sorted(rng.choice(mgr, size=min(len(mgr), ctx.n(4, 2)), replace=False)):
            rows.append((str(pid), "manager", name))
        for i in range(ctx.n(9, 3)):
            rows.append((f"{ABBREVIATIONS[slug]}-FM{i + 1:03d}", "family_member", name))
    out = pd.DataFrame(rows, columns=["participant", "participant_type", "borough"])
    out["consent"] = rng.random(len(out)) < P_CONSENT
    done = pd.to_datetime(prac.set_index("practitioner_id")["training_completed"].replace("", None))
    out["training_completed"] = out["participant"].map(done)
    return out


def _interview_text(rng, themes: list[str], who: str, n_personal: list) -> tuple[str, list[tuple[int, int, list[str]]]]:
    """Build one transcript; returns the text and the coded segments (start, end, themes)."""
    pieces: list[str] = []
    segments = []
    pos = 0

    def add(sentence: str) -> tuple[int, int]:
        nonlocal pos
        if pieces:
            pieces.append("\n")
            pos += 1
        start = pos
        pieces.append(sentence)
        pos += len(sentence)  # Python counts code points, as REFI-QDA positions do
        return start, pos

    add("Interviewer: Thank you for talking to me. What stands out about the last year?")
    todo = list(themes)
    rng.shuffle(todo)
    linked_done = set()
    for t in todo:
        if t in linked_done:
            continue
        partner = None
        for (a, b), p in LINKED.items():
            if t in (a, b):
                other = b if t == a else a
                if other in todo and other not in linked_done and rng.random() < p:
                    partner = other
        if rng.random() < 0.6:
            add(FILLER[int(rng.integers(len(FILLER)))])
        sentence = SENTENCES[t][int(rng.integers(3))]
        if rng.random() < P_PERSONAL:
            bank = PERSONAL["family" if who == "family_member" else "staff"]
            sentence = bank[int(rng.integers(len(bank)))].format(n=int(rng.integers(10, 99)))
            n_personal.append(1)
        s, e = add(sentence)
        if partner is None:
            segments.append((s, e, [t]))
            continue
        linked_done.update({t, partner})
        if rng.random() < 0.5:
            segments.append((s, e, [t, partner]))  # one segment, two codes
        else:
            s2, e2 = add(SENTENCES[partner][int(rng.integers(3))])
            segments.append((s, e2, [t]))  # overlapping segments: the first spans both sentences
            segments.append((s2, e2, [partner]))
    # Coders also put a second code on a passage that touches another theme of the same interview.
    for k, (s, e, ts) in enumerate(segments):
        others = [t for t in themes if t not in ts]
        if others and rng.random() < P_EXTRA_CODE:
            segments[k] = (s, e, [*ts, others[int(rng.integers(len(others)))]])
    return "".join(pieces), segments


def _sub(el, tag, **attrs):
    return ET.SubElement(el, Q + tag, {k: str(v) for k, v in attrs.items() if v is not None})


def generate(ctx) -> dict:
    rng = ctx.rng("interviews")
    guid = _Guids(rng)
    p_conf = {k: ctx.effect("interviews", f"p_confidence_{k}", v) for k, v in P_CONFIDENCE.items()}
    p_lang = {w: ctx.effect("interviews", f"p_language_wave{w}", v) for w, v in P_LANGUAGE.items()}
    people = _participants(ctx, rng)
    person_sd = ctx.effect("interviews", "person_logit_sd", PERSON_LOGIT_SD)
    propensity = ctx.rng("interviews.people").normal(0, 1, size=(len(people), len(CODEBOOK))) * person_sd

    proj = _Project(guid)
    n_personal: list = []
    rows = []
    for i, (_, p) in enumerate(people.iterrows()):
        case = proj.case(p)
        waves = [1] + ([2] if rng.random() < P_WAVE2 else [])
        for w in waves:
            date = _dates(rng, w, 1)[0]
            trained = bool(pd.notna(p["training_completed"]) and p["training_completed"] <= date)
            probs = dict(P_MENTION[p["participant_type"]])
            if p["participant_type"] == "practitioner":
                probs["Confidence in practice"] = p_conf["trained" if trained else "untrained"]
            if p["participant_type"] in ("practitioner", "manager"):
                probs["A shared language"] = p_lang[w]
            mentioned = [
                t
                for j, t in enumerate(CODEBOOK)
                if rng.random() < person_probability(probs.get(t, 0.0), propensity[i, j], person_sd)
            ]
            text, segments = _interview_text(rng, mentioned, p["participant_type"], n_personal)
            proj.source(rng, case, p, w, date, text, segments)
            rows.append(
                {"type": p["participant_type"], "wave": w, "trained": trained, **{t: t in mentioned for t in CODEBOOK}}
            )
    proj.write(ctx)
    files, n_sel = proj.files, proj.n_sel

    design = pd.DataFrame(rows)
    prac = design[design["type"] == "practitioner"]
    staff = design[design["type"].isin(["practitioner", "manager"])]
    return {
        "file": FILENAME,
        "participants": {
            t: int((people["participant_type"] == t).sum()) for t in ("practitioner", "manager", "family_member")
        },
        "interviews": int(len(design)),
        "selections": int(n_sel),
        "inline_sources": int(len(design) - len(files)),
        "file_sources": int(len(files)),
        "excerpts_with_personal_details": int(len(n_personal)),
        "consent_share": float(people["consent"].mean()),
        "planted": {
            "confidence_trained_difference_pp": 100 * (p_conf["trained"] - p_conf["untrained"]),
            "p_confidence_trained": p_conf["trained"],
            "p_confidence_untrained": p_conf["untrained"],
            "shared_language_wave_change_pp": 100 * (p_lang[2] - p_lang[1]),
            "p_language_wave1": p_lang[1],
            "p_language_wave2": p_lang[2],
            "null_wave_change_theme": "Recording burden",
            "person_logit_sd": person_sd,
            "person_effect": "mean-preserving: each interview's marginal probability of mentioning a theme is the "
            "planted one, so the planted shares are the truth; a person's interviews share their propensity",
            "within_person_correlation_p50": within_person_correlation(0.5, person_sd),
            "linked_themes": [list(k) for k in LINKED],
        },
        "realised": {
            "confidence_share_trained": float(prac.loc[prac["trained"], "Confidence in practice"].mean()),
            "confidence_share_untrained": float(prac.loc[~prac["trained"], "Confidence in practice"].mean()),
            "language_share_wave1_staff": float(staff.loc[staff["wave"] == 1, "A shared language"].mean()),
            "language_share_wave2_staff": float(staff.loc[staff["wave"] == 2, "A shared language"].mean()),
        },
    }


class _Project:
    """The REFI-QDA project as it is built: codebook, variables, cases and text sources (GUIDs drawn in
    that order from the strand's stream), then written as a .qdpx."""

    def __init__(self, guid):
        self.guid = guid
        ET.register_namespace("", NS)
        self.root = root = ET.Element(
            Q + "Project",
            {
                "name": "Focus on Practice interviews (synthetic)",
                "origin": "helpers.synthetic.interviews",
                "creationDateTime": "2016-06-30T12:00:00Z",
            },
        )
        users = _sub(root, "Users")
        self.coder = guid()
        _sub(users, "User", guid=self.coder, name="Coder A")
        codebook = _sub(_sub(root, "CodeBook"), "Codes")
        self.code_guid: dict[str, str] = {}
        self.sub_guids: dict[str, list[str]] = {}
        for theme, (desc, subs) in CODEBOOK.items():
            g = guid()
            self.code_guid[theme] = g
            el = _sub(codebook, "Code", guid=g, name=theme, isCodable="true")
            ET.SubElement(el, Q + "Description").text = desc
            self.sub_guids[theme] = []
            for s in subs:
                sg = guid()
                self.sub_guids[theme].append(sg)
                _sub(el, "Code", guid=sg, name=s, isCodable="true")
        variables = _sub(root, "Variables")
        self.var = {}
        for name, kind in (
            ("Participant type", "Text"),
            ("Borough", "Text"),
            ("Consent to quote", "Boolean"),
            ("Wave", "Integer"),
            ("Interview date", "Date"),
        ):
            self.var[name] = guid()
            _sub(variables, "Variable", guid=self.var[name], name=name, typeOfVariable=kind)
        self.cases_el = _sub(root, "Cases")
        self.sources_el = _sub(root, "Sources")
        self.files: dict[str, str] = {}
        self.n_sel = 0

    def value(self, parent, name, tag, text):
        vv = _sub(parent, "VariableValue")
        _sub(vv, "VariableRef", targetGUID=self.var[name])
        ET.SubElement(vv, Q + tag).text = text

    def case(self, p) -> ET.Element:
        """The participant's case with their type, borough and consent."""
        case = _sub(self.cases_el, "Case", guid=self.guid(), name=p["participant"])
        self.value(case, "Participant type", "TextValue", p["participant_type"].replace("_", " "))
        self.value(case, "Borough", "TextValue", p["borough"])
        self.value(case, "Consent to quote", "BooleanValue", "true" if p["consent"] else "false")
        return case

    def source(self, rng, case: ET.Element, p, w: int, date, text: str, segments: list) -> None:
        """One interview: its text (inline or as a file in the zip), coded selections, wave and date."""
        guid, coder = self.guid, self.coder
        sg = guid()
        name = f"Interview {p['participant']} wave {w}"
        src = _sub(self.sources_el, "TextSource", guid=sg, name=name, creatingUser=coder)
        if rng.random() < P_INLINE:
            ET.SubElement(src, Q + "PlainTextContent").text = text
        else:
            src.set("plainTextPath", f"internal://{sg}.txt")
            self.files[f"sources/{sg}.txt"] = text
        for s, e, themes in segments:
            sel = _sub(src, "PlainTextSelection", guid=guid(), startPosition=s, endPosition=e, creatingUser=coder)
            self.n_sel += 1
            for t in themes:
                target = self.code_guid[t]
                if self.sub_guids[t] and rng.random() < P_SUBCODE:
                    target = self.sub_guids[t][int(rng.integers(len(self.sub_guids[t])))]
                c = _sub(sel, "Coding", guid=guid(), creatingUser=coder)
                _sub(c, "CodeRef", targetGUID=target)
        self.value(src, "Wave", "IntegerValue", str(w))
        self.value(src, "Interview date", "DateValue", date.strftime("%Y-%m-%d"))
        _sub(case, "SourceRef", targetGUID=sg)

    def write(self, ctx) -> None:
        """The .qdpx: project.qde and the source files, with fixed dates so the bytes are reproducible."""
        root = self.root
        # Cases must come before Sources (schema order); move the Sources element after Cases.
        root.remove(self.sources_el)
        root.insert(list(root).index(self.cases_el) + 1, self.sources_el)
        ET.SubElement(
            root, Q + "Description"
        ).text = "Synthetic interviews for the Focus on Practice pipeline. Not real people."
        xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        path = Path(ctx.out_dir) / FILENAME
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member, data in [("project.qde", xml), *sorted((k, v.encode("utf-8")) for k, v in self.files.items())]:
                info = zipfile.ZipInfo(member, date_time=(2016, 6, 30, 12, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        ctx.files[FILENAME] = file_sha256(path)
