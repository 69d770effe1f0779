"""Tracking codes: unguessable, readable aloud, and a check character that catches every
single-character mistake and every swap of neighbours but 0<->Z (Luhn mod N's blind pair)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peelian.oversight.codes import ALPHABET, BODY_LENGTH, code_hash, new_code, normalise

bodies = st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH)


def test_new_codes_are_valid_and_distinct():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(code) == 16
        assert code[4] == code[9] == code[14] == "-"
        assert normalise(code) == code.replace("-", "")


def test_typing_is_forgiving():
    code = new_code()
    plain = code.replace("-", "")
    assert normalise(code.lower()) == plain
    assert normalise(" ".join(plain)) == plain
    zeroed = plain.replace("0", "O")
    assert normalise(zeroed) == plain


@given(body=bodies, position=st.integers(0, BODY_LENGTH), data=st.data())
def test_any_single_substitution_is_caught(body, position, data):
    code = normalise_full(body)
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    assert normalise(code[:position] + wrong + code[position + 1 :]) is None


@given(body=bodies, position=st.integers(0, BODY_LENGTH - 1))
def test_any_adjacent_swap_is_caught(body, position):
    code = normalise_full(body)
    a, b = code[position], code[position + 1]
    if a == b or {a, b} == {"0", "Z"}:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    assert normalise(swapped) is None


def test_rejects_garbage():
    for text in ["", "ABC", "!" * 13, "U" * 13, new_code() + "X"]:
        assert normalise(text) is None


def test_hash_is_stable():
    assert code_hash("0" * 13) == code_hash("0" * 13)
    assert len(code_hash("0" * 13)) == 64


def normalise_full(body: str) -> str:
    from peelian.oversight.codes import _check_char

    return body + _check_char(body)


def test_swap_detection_exhaustively():
    """Every ordered pair of characters, swapped at every position: only 0<->Z slips by."""
    import itertools

    from peelian.oversight.codes import _check_char

    missed = set()
    for a, b in itertools.permutations(ALPHABET, 2):
        for pos in range(BODY_LENGTH - 1):
            body = "1" * pos + a + b + "1" * (BODY_LENGTH - pos - 2)
            code = body + _check_char(body)
            if normalise(code[:pos] + b + a + code[pos + 2 :]) is not None:
                missed.add(frozenset((a, b)))
    assert missed == {frozenset(("0", "Z"))}
