"""The project's one redaction helper on hard cases, written and spoken; expected outputs by hand."""

import re

import pandas as pd
import pytest

from helpers.redaction import publishable_quotes, redact

# (input, expected redacted text). Worked out by hand from the rules in helpers.redaction's docstring.
WRITTEN = [
    # sentence-initial names, accents
    ("Zoë came round on Tuesday.", "[name] came round on Tuesday."),
    ("Zoe said the plan was clear.", "[name] said the plan was clear."),
    # lower-case names, names after lower-case words
    ("i spoke to ann jones about it", "i spoke to [name] about it"),
    ("the meeting with kayleigh went well", "the meeting with [name] went well"),
    ("we discussed it with Imran and Fatima in supervision", "we discussed it with [name] and [name] in supervision"),
    # double-barrelled names: one placeholder
    ("My worker is Sarah Smith-Jones and she listens.", "My worker is [name] and she listens."),
    ("the case of Mary Ann O'Brien was discussed", "the case of [name] was discussed"),
    # titles
    ("I phoned Mrs Okafor yesterday.", "I phoned Mrs [name] yesterday."),
    ("then mrs smith rang the school", "then mrs [name] rang the school"),
    # streets, estates, house numbers, postcodes and fragments
    ("We live at 14 Elm Road, W2 4AB.", "We live at [address], [postcode]."),
    (
        "We moved to SW6 1AB last year, near the Lancaster West estate.",
        "We moved to [postcode] last year, near the [place].",
    ),
    ("She lives at number 22 by the park in W2.", "She lives at [address] by the park in [postcode]."),
    ("they were rehoused in NW10 after the fire", "they were rehoused in [postcode] after the fire"),
    ("the flat is in sw6 now", "the flat is in [postcode] now"),
    ("Their flat 3 is on Harrow Road.", "Their [address] is on [place]."),
    # phone numbers in several styles
    ("Ring me on 07700 900123 or +44 7700 900123.", "Ring me on [phone] or [phone]."),
    ("The office is 020 7946 0018 or (020) 7946-0018.", "The office is [phone] or [phone]."),
    ("call 07700900123 anytime", "call [phone] anytime"),
    ("the duty line is 0800-123-4567.", "the duty line is [phone]."),
    ("mobile +44 (0)20 7946 0018", "mobile [phone]"),
    # emails, written and spelled out
    ("Email zoe.smith@example.org if you need me.", "Email [email] if you need me."),
    ("write to ann dot jones at gmail dot com", "write to [email]"),
    # dates of birth
    ("He was born on 12/03/2009 and she was born in 2011.", "He was born on [date] and she was born [date]."),
    ("DOB: 3rd March 2009.", "DOB: [date]."),
    ("her birthday is 14 February", "her birthday is [date]"),
    ("her DOB is 01.02.2010", "her DOB is [date]"),
    ("date of birth 2009-03-12", "date of birth [date]"),
    ("she turned 10 on 5th May", "she turned 10 on [date]"),
    # more phone styles, addresses, emails with capitals, a full postcode in passing
    ("text me on 07700 900 123", "text me on [phone]"),
    ("call 0207 946 0018 please", "call [phone] please"),
    ("the number is 07700-900-123", "the number is [phone]"),
    ("I live at 3b Church Street", "I live at [address]"),
    ("flat 12, Dunne House", "[address], [place]"),
    ("email me at J.Smith@council.gov.uk.", "email me at [email]."),
    ("It was in NW6 4AB or thereabouts", "It was in [postcode] or thereabouts"),
    # titles with several people, plural surnames, hyphenated names
    ("Mr and Mrs Patel came in.", "Mr and Mrs [name] came in."),
    ("we saw the Smiths on Friday", "we saw the [name] on Friday"),
    ("I met Mrs Begum-Ali at the school gate", "I met Mrs [name] at the school gate"),
    ("mr o'connor rang", "mr [name] rang"),
]

# Interview speech: nicknames, family terms, places mentioned in passing.
SPOKEN = [
    ("Nanny Pat picks them up from school.", "Nanny [name] picks them up from school."),
    ("our Kayleigh has been much calmer", "our [name] has been much calmer"),
    ("me nan sue was there an' all", "me nan [name] was there an' all"),
    ("Me and Dazza went down Portobello Road.", "Me and [name] went down [place]."),
    (
        "Uncle Dave's been great, he takes our kid to football",
        "Uncle [name]'s been great, he takes our kid to football",
    ),
    ("she's called Shaz by everyone", "she's called [name] by everyone"),
    ("so yeah, Big Mo from the estate came round", "so yeah, Big [name] from the estate came round"),
    ("we go up Kilburn High Road on a Saturday", "we go up [place] on a Saturday"),
    ("his dad Gary rang me on 07700 900123", "his dad [name] rang me on [phone]"),
    ("erm, me and tyrone, we was at the Edward Woods estate then", "erm, me and [name], we was at the [place] then"),
    ("i told our jayden-lee to behave", "i told our [name] to behave"),
    ("little jayden was poorly", "little [name] was poorly"),
    ("Kayleigh-Marie is 7 now", "[name] is 7 now"),
    ("our Jayden and his sister Tia", "our [name] and his sister [name]"),
    ("Nanny Pat and Grandad Tony", "Nanny [name] and Grandad [name]"),
    ("Reece and Mo came round", "[name] and [name] came round"),
    ("we're in the Churchill Gardens estate near Pimlico", "we're in the [place] near [place]"),
    ("she goes to her nan's in Acton most weekends", "she goes to her nan's in [place] most weekends"),
]

# The programme's own vocabulary must come out unchanged.
UNCHANGED = [
    "Using a genogram and a systemic hypothesis in reflective supervision helped the social worker.",
    "Signs of Safety and the clinician in Westminster made a difference.",
    "Honestly the family therapist was brilliant.",
    "Systemic practice gave us a shared language in the unit.",
    "Hypothesising with the clinician before a visit changed how I work.",
    "The consultant social worker chaired the child protection conference.",
    "She has been looked after since March 2015.",
    "Hammersmith and Fulham and Kensington and Chelsea trained their managers too.",
    "Recording takes hours every evening and the forms are long.",
    "Group supervision with the family therapist is every week.",
    "CAMHS and the GP were involved, and Ofsted visited in 2015.",
    "My social worker listened to me and my mum for the first time.",
    "Focus on Practice changed the way the team talks about families.",
    "Mum and Dad came to the meeting with Nan.",
    "We used motivational interviewing and circular questions in wave 2.",
    "my mum helps a lot and my dad works nights",
    "Every new worker asks the same questions, it’s exhausting.",
    "Interviewer: Can you tell me a bit more about that?",
    "Direct work gets squeezed by everything else.",
    "The manager in the Family Assessment Team said so.",
]


@pytest.mark.parametrize("text,expected", WRITTEN + SPOKEN)
def test_hard_cases(text, expected):
    r = redact(text)
    assert r.text == expected
    assert not r.unsure, r.unsure_reasons
    assert r.n_redactions == expected.count("[")


@pytest.mark.parametrize("text", UNCHANGED)
def test_programme_vocabulary_is_kept(text):
    r = redact(text)
    assert r.text == text
    assert r.n_redactions == 0 and not r.unsure


@pytest.mark.parametrize(
    "text",
    [
        "grace was there too",  # a name or the word?
        "Tamsin said she would come.",  # sentence-initial, in no list: a name or not?
        "Darnell said it was fine.",
        "my number is 900123 45",  # digits left after the patterns
        "contact zoe @ home",  # an '@' left
        "ann thornbury came",  # a likely surname after a name, not in the surname list
    ],
)
def test_unsure_texts_are_flagged(text):
    assert redact(text).unsure


def test_kinds_are_counted():
    r = redact("Zoë (07700 900123, zoe@example.org) lives at 14 Elm Road, W2 4AB.")
    assert r.kinds == {"name": 1, "phone": 1, "email": 1, "address": 1, "postcode": 1}
    assert r.n_redactions == 5


def test_publishable_quotes_drops_and_counts():
    df = pd.DataFrame(
        {
            "quote": [
                "Zoë listened to us.",
                "grace was lovely",
                "Reflective supervision helps.",
                "",
                "Ring 07700 900123",
                "Private words",
            ],
            "consent": ["yes", True, "Yes", "yes", "y", "no"],
        }
    )
    kept, counts = publishable_quotes(df, "quote", "consent")
    assert list(kept["quote"]) == ["[name] listened to us.", "Reflective supervision helps.", "Ring [phone]"]
    assert list(kept["n_redactions"]) == [1, 0, 1]
    assert counts["no_consent"] == 1 and counts["empty"] == 1 and counts["unsure"] == 1
    assert counts["redacted"] == 2 and counts["placeholders"] == 2


def test_blank_consent_is_no_consent():
    df = pd.DataFrame({"q": ["Fine words."], "c": [None]})
    kept, counts = publishable_quotes(df, "q", "c")
    assert kept.empty and counts["no_consent"] == 1


# ---- properties: whatever surrounds them, emails and phone numbers never survive ----------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_words = st.lists(
    st.sampled_from(
        [
            "the",
            "worker",
            "said",
            "call",
            "me",
            "on",
            "or",
            "email",
            "Zoë",
            "later",
            "and",
            "systemic",
            "supervision",
            "our",
            "kid",
            ",",
            ".",
        ]
    ),
    max_size=6,
).map(" ".join)
_local = st.from_regex(r"[a-z][a-z0-9.]{0,8}[a-z0-9]", fullmatch=True)
_domain = st.from_regex(r"[a-z]{2,8}\.(?:org|com|co\.uk|gov\.uk)", fullmatch=True)
_mobile = st.integers(0, 999999).map(lambda n: f"{n:06d}")


@settings(max_examples=150, deadline=None)
@given(_words, _local, _domain, _words)
def test_email_never_survives(before, local, domain, after):
    email = f"{local}@{domain}"
    out = redact(f"{before} {email} {after}").text
    assert email not in out and "@" not in out


@settings(max_examples=150, deadline=None)
@given(
    _words,
    _mobile,
    st.sampled_from(
        [
            "07700 {a}",
            "07700{a}",
            "+44 7700 {a}",
            "+447700{a}",
            "07700-{b}-{c}",
            "(07700) {a}",
            "020 7946 {d}",
            "(020) 7946-{d}",
            "+44 (0)20 7946 {d}",
        ]
    ),
    _words,
)
def test_phone_digits_never_survive(before, six, style, after):
    number = style.format(a=six, b=six[:3], c=six[3:], d=six[2:])
    out = redact(f"{before} {number} {after}").text
    assert "[phone]" in out
    assert not re.search(r"\d{3}", out)
