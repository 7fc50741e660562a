"""The coach's corpus, its small model (deterministic training, the disk cache) and how rules and model combine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from widgets.content import REPO_ROOT
from widgets.simulation import coach
from widgets.simulation import model as coach_model
from widgets.simulation.coach import LABELS, classify, combine, rule_labels
from widgets.simulation.rewrite import open_alternative

COACH = REPO_ROOT / "data" / "coach"


def _read(name: str) -> list[dict]:
    return coach_model.read_corpus(COACH / name)


@pytest.mark.parametrize("lang,at_least", [("nb", 600), ("en", 400)])
def test_the_corpus_is_large_varied_and_well_formed(lang: str, at_least: int) -> None:
    corpus = _read(f"corpus.{lang}.jsonl")
    heldout = _read(f"heldout.{lang}.jsonl")
    assert len(corpus) >= at_least and len(heldout) >= 100
    for record in corpus + heldout:
        assert set(record) == {"text", "labels"} and record["text"].strip() == record["text"]
        assert set(record["labels"]) <= set(LABELS) and len(set(record["labels"])) == len(record["labels"])
    texts = [r["text"] for r in corpus]
    assert len(set(texts)) == len(texts), "duplicates in the corpus"
    assert not set(texts) & {r["text"] for r in heldout}, "a held-out line is also in the training corpus"
    for label in LABELS:
        assert sum(label in r["labels"] for r in corpus) >= 20, f"{lang}: too few examples of {label}"
    assert sum(not r["labels"] for r in corpus) >= 20  # utterances with no label are part of the job
    assert sum(len(r["labels"]) > 1 for r in corpus) >= 60  # and so are several labels at once


def test_training_is_deterministic_and_scoring_matches_training() -> None:
    records = _read("corpus.nb.jsonl")[::3]
    texts, targets = [r["text"] for r in records], [r["labels"] for r in records]
    a = coach_model.train(texts, targets, LABELS)
    b = coach_model.train(texts, targets, LABELS)
    assert a.vocab == b.vocab and np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
    # Scoring (plain Python, no NumPy in the learner's kernel) gives exactly what the training features give.
    weights = np.asarray(a.weights).reshape(len(a.vocab), len(LABELS))
    for text in texts[:25]:
        feats = coach_model.features(text)
        values = coach_model._values(f for f in feats if f in a.vocab)
        z = np.asarray(a.bias) + sum(v * weights[a.vocab[f]] for f, v in values.items())
        assert np.allclose(a.scores(feats), 1 / (1 + np.exp(-z)))


def test_the_cached_model_is_exactly_what_training_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRYGGE_CACHE_DIR", str(tmp_path))
    coach_model.forget()
    try:
        trained = coach_model.model_for("en", LABELS)
        (cached,) = tmp_path.glob("coach-en-*.bin")
        coach_model.forget()
        loaded = coach_model.model_for("en", LABELS)
        records = _read("corpus.en.jsonl")
        fresh = coach_model.train([r["text"] for r in records], [r["labels"] for r in records], LABELS)
        for m in (loaded, fresh):
            assert m.vocab == trained.vocab and np.array_equal(m.weights, trained.weights)
            assert np.array_equal(m.bias, trained.bias)
        cached.write_bytes(b"not a model")  # a broken cache file is trained again, never fatal
        coach_model.forget()
        again = coach_model.model_for("en", LABELS)
        assert np.array_equal(again.weights, trained.weights)
    finally:
        coach_model.forget()


def test_the_cache_key_follows_the_corpus_and_the_settings() -> None:
    key = coach_model.cache_key(b"a", LABELS)
    assert key == coach_model.cache_key(b"a", LABELS)
    assert key != coach_model.cache_key(b"b", LABELS)
    assert key != coach_model.cache_key(b"a", LABELS[:-1])


@pytest.mark.parametrize("lang,floor", [("nb", 0.85), ("en", 0.82)])
def test_combined_is_at_least_as_good_as_the_rules_on_the_blind_set(lang: str, floor: float) -> None:
    heldout = _read(f"heldout.{lang}.jsonl")

    def micro_f1(method: str) -> float:
        tp = fp = fn = 0
        for r in heldout:
            got, want = set(classify(r["text"], lang, method)), set(r["labels"])
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        return 2 * tp / (2 * tp + fp + fn)

    combined, rules = micro_f1("combined"), micro_f1("rules")
    assert combined >= floor and combined >= rules


def test_the_model_adds_what_the_rules_miss_and_the_rules_keep_the_question_type() -> None:
    assert combine(["closed_question"], {"open_question": 0.9, "closed_question": 0.2, "minimizing": 0.7}, 1) == \
        ["closed_question", "minimizing"]
    assert combine([], {"reflection": 0.59}, 0) == []
    assert combine([], {"reflection": 0.61}, 0) == ["reflection"]
    assert combine(["open_question"], {"closed_question": 0.9}, 2) == ["open_question", "closed_question"]


def test_a_direct_suicide_question_is_never_lost() -> None:
    for text in ("Tenker du på å ta livet ditt?", "Jeg lurer på om du har tanker om selvmord.",
                 "Are you thinking about killing yourself?"):
        lang = "en" if text.startswith("Are") else "nb"
        assert "suicide_question" in classify(text, lang)


def test_methods_and_bad_input() -> None:
    assert classify("Hvordan har du det?", method="rules") == ["open_question"]
    assert classify("   ", method="model") == []
    with pytest.raises(ValueError):
        classify("hei", method="magic")
    with pytest.raises(TypeError):
        classify(42)  # type: ignore[arg-type]
    assert rule_labels("") == []
    assert coach.METHODS == ("combined", "rules", "model")


def test_cli_coach_keeps_its_contract_and_can_use_the_rules_alone() -> None:
    lines = [json.dumps({"text": "Er du trist?"}), json.dumps({"text": "Det er nok bare stress."})]
    out = subprocess.run([sys.executable, "-m", "widgets.cli", "coach", "--lang", "nb", "--method", "rules"],
                         input="\n".join(lines), capture_output=True, text=True, check=True)
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["text"] for r in records] == ["Er du trist?", "Det er nok bare stress."]
    assert all(set(r) == {"text", "labels"} for r in records)
    assert records[0]["labels"] == ["closed_question"]


@pytest.mark.parametrize("question,expected", [
    ("Er det noen du kan snakke med?", "Hvem kan du snakke med?"),
    ("Er det noe som hjelper?", "Hva er det som hjelper?"),
    ("Har du snakket med noen om dette?", "Hvem har du kunnet snakke med om dette?"),
    ("Føler du deg ensom?", "Hvordan er det å kjenne seg ensom?"),
    ("Har du det vondt nå?", "Hvordan har du det nå?"),
    ("Sover du godt om nettene?", "Hvordan er det med søvnen for tiden?"),
    ("Har du tenkt på å flytte hjem igjen?", "Hva tenker du om å flytte hjem igjen?"),
    ("Vil du fortelle mer om Ida?", "Hva vil du fortelle om Ida?"),
    ("Har du noen du kan ringe i natt?", "Hvem kan du ringe i natt?"),
])
def test_closed_questions_are_rewritten_as_open_ones_in_the_learners_words(question: str, expected: str) -> None:
    assert open_alternative(question, "nb") == expected


@pytest.mark.parametrize("question,expected", [
    ("Is there anyone you can talk to?", "Who can you talk to?"),
    ("Is there anyone you trust?", "Who do you trust?"),
    ("Do you feel lonely?", "What is it like to feel lonely?"),
    ("Have you talked to anyone about this?", "Who have you been able to talk to about this?"),
])
def test_english_closed_questions_are_rewritten_too(question: str, expected: str) -> None:
    assert open_alternative(question, "en") == expected


def test_an_unknown_closed_question_gets_a_general_open_one() -> None:
    assert open_alternative("Er det mobbing?", "nb") == "Kan du fortelle litt mer om hvordan det er for deg?"
    assert open_alternative("Vet du hvorfor?").endswith("?")


def test_a_learner_kernel_scores_with_the_coach_without_numpy(tmp_path: Path) -> None:
    """Training needs NumPy; scoring a cached model must not import it (≈10 MB per learner kernel)."""
    probe = (
        "import sys; from widgets.simulation import model, coach; "
        "m = model.model_for('nb', coach.LABELS); print(m.predict('Tenker du på å ta livet ditt?')); "
        "print('numpy' in sys.modules)"
    )
    env = {**os.environ, "TRYGGE_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.splitlines()[1] == "True"  # the first process trains, with NumPy
    assert again.stdout.splitlines() == [first.stdout.splitlines()[0], "False"]
    assert "suicide_question" in again.stdout.splitlines()[0]
