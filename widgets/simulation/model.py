"""The coach's small model: one-vs-rest logistic regression over word and character n-grams.

Training uses NumPy (and SciPy's sparse matrices); scoring a trained model is plain Python over a flat array of
doubles, so a learner's kernel never imports NumPy for it (about 10 MB less per kernel; an utterance touches only
a few hundred weights).

It is trained on the labelled corpus in ``data/coach/corpus.<lang>.jsonl`` (written for this project; see
``data/coach/README.md``). Training takes about a second, so the model is trained at first use and cached: in the
process (one model per language) and on disk (``$TRYGGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/trygge``, else
``~/.cache/trygge``), keyed by a hash of the corpus, the features and the settings below. Change the corpus and the
next process trains a new model; nothing is downloaded, nothing is pickled. Training is deterministic: the same corpus
gives the same weights (``tests/test_coach_model.py`` checks that the cache holds exactly what training gives).

The combined coach (:mod:`.coach`) adds what the model is confident about to what the rules find.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import sys
import tempfile
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("trygge")

#: Bump when features or training change, so old cached models are not used.
MODEL_VERSION = 4
#: Training settings (part of the cache key).
SETTINGS = {"l2": 0.6, "epochs": 100, "lr": 0.3, "min_df": 2, "char_n": (2, 5), "threshold": 0.5}

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().lower()


def features(text: str) -> set[str]:
    """The sparse binary features of one utterance (strings; the model's vocabulary maps them to columns).

    Words and word pairs, the first words of each sentence (where Norwegian and English put the question word or
    the verb of a yes/no question), whether a sentence ends in «?», character n-grams inside words (so inflections
    and typos still match), and the number of sentences.
    """
    text = _normalise(text)
    found: set[str] = set()
    sentences = [s.strip(" «»\"'–-") for s in _SENTENCE.split(text)]
    sentences = [s for s in sentences if s]
    found.add(f"n:{min(len(sentences), 3)}")
    words_all: list[str] = []
    for sentence in sentences:
        words = _WORD.findall(sentence)
        if not words:
            continue
        words_all.extend(words)
        question = sentence.endswith("?")
        found.add(f"f:{words[0]}")
        if len(words) > 1:
            found.add(f"f2:{words[0]} {words[1]}")
        if question:
            found.add("q:end")
            found.add(f"qf:{words[0]}")
        found.add(f"l:{words[-1]}")
        found.update(f"w:{w}" for w in words)
        found.update(f"b:{a} {b}" for a, b in zip(words, words[1:]))
    low, high = SETTINGS["char_n"]
    for word in set(words_all):
        padded = f" {word} "
        for n in range(low, high + 1):
            found.update(f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1))
    return found


#: Feature groups (by prefix). Each group is scaled to unit length in a row, so the hundreds of character n-grams
#: do not drown the few word and sentence-start features; flags (``q:``, ``n:``) count 1 each.
_GROUPS = {"c": 0, "w": 1, "b": 1, "l": 1, "f": 2, "f2": 2, "qf": 2}
_FLAG = 3


def _group(feature: str) -> int:
    return _GROUPS.get(feature.split(":", 1)[0], _FLAG)


def _values(feats: Iterable[str]) -> dict[str, float]:
    """Each feature's value: 1/sqrt(size of its group in this utterance), or 1 for a flag."""
    feats = list(feats)
    groups = [_group(f) for f in feats]
    sizes = [0, 0, 0, 0]
    for g in groups:
        sizes[g] += 1
    return {f: 1.0 if g == _FLAG else 1.0 / math.sqrt(sizes[g]) for f, g in zip(feats, groups)}


#: The cache file's first bytes; the JSON header (labels, vocabulary) follows on the same line.
_MAGIC = b"trygge-coach-model 1 "


@dataclasses.dataclass
class Model:
    """A trained one-vs-rest model: a weight per feature and label, and a bias per label.

    ``weights`` is flat and row-major: feature ``vocab[f]``'s weight for label ``j`` is
    ``weights[vocab[f] * len(labels) + j]``.
    """

    labels: tuple[str, ...]
    vocab: dict[str, int]
    weights: array  # array("d"), len(vocab) * len(labels)
    bias: array  # array("d"), len(labels)
    threshold: float = SETTINGS["threshold"]

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.vocab) * len(self.labels) or len(self.bias) != len(self.labels):
            raise ValueError("the weights do not fit the vocabulary and the labels")

    def scores(self, feats: set[str]) -> list[float]:
        """The probability of each label (in :attr:`labels` order) for an utterance's features.

        The same values as :func:`_values` gives in training: 1/sqrt(group size) per feature, 1 for a flag.
        """
        k, w = len(self.labels), self.weights
        z = list(self.bias)
        for feature, value in _values(f for f in feats if f in self.vocab).items():
            row = self.vocab[feature] * k
            for j in range(k):
                z[j] += value * w[row + j]
        return [1.0 / (1.0 + math.exp(-min(35.0, max(-35.0, x)))) for x in z]

    def probabilities(self, text: str) -> dict[str, float]:
        """Each label's probability for an utterance."""
        return dict(zip(self.labels, self.scores(features(text))))

    def predict(self, text: str, threshold: float | None = None) -> list[str]:
        """The labels whose probability reaches ``threshold`` (default: :attr:`threshold`)."""
        limit = self.threshold if threshold is None else threshold
        return [label for label, p in self.probabilities(text).items() if p >= limit]

    # -- storage: a JSON header and raw doubles, never pickles ----------------------------------------------------
    def save(self, path: Path) -> None:
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        header = json.dumps({"labels": list(self.labels), "vocab": words, "byteorder": sys.byteorder},
                            ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + header + b"\n")
                out.write(self.bias.tobytes())
                out.write(self.weights.tobytes())
            os.replace(tmp, path)  # atomic: another kernel never reads half a file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: Path) -> Model:
        raw = path.read_bytes()
        if not raw.startswith(_MAGIC) or b"\n" not in raw:
            raise ValueError(f"{path} is not a cached coach model")
        line, body = raw[len(_MAGIC):].split(b"\n", 1)
        header = json.loads(line)
        if header.get("byteorder") != sys.byteorder:
            raise ValueError(f"{path} was written on a machine with another byte order")
        labels, words = tuple(header["labels"]), header["vocab"]
        numbers = array("d")
        numbers.frombytes(body)
        k = len(labels)
        if len(numbers) != k + len(words) * k:
            raise ValueError(f"{path} is truncated")
        return cls(labels, {w: i for i, w in enumerate(words)}, numbers[k:], numbers[:k])


def train(texts: Sequence[str], targets: Sequence[Sequence[str]], labels: Sequence[str]) -> Model:
    """Train a model on utterances and their label lists (deterministic: full-batch Adam from zero weights)."""
    import numpy as np

    feats = [features(t) for t in texts]
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    keep = sorted(f for f, n in df.items() if n >= SETTINGS["min_df"])
    vocab = {f: i for i, f in enumerate(keep)}
    n, k, d = len(texts), len(labels), len(vocab)
    rows, cols, vals = [], [], []
    for r, fs in enumerate(feats):
        for f, value in _values(f for f in fs if f in vocab).items():
            rows.append(r)
            cols.append(vocab[f])
            vals.append(value)
    try:  # sparse products are ~20x faster; the dense fallback gives the same model up to rounding
        from scipy import sparse

        x: Any = sparse.csr_matrix((vals, (rows, cols)), shape=(n, d))
        xt: Any = x.T.tocsr()
    except ImportError:  # pragma: no cover - scipy is a dependency; kept for a minimal install
        x = np.zeros((n, d))
        x[rows, cols] = vals
        xt = x.T
    y = np.array([[1.0 if label in t else 0.0 for label in labels] for t in targets])
    # Rare labels get more weight on their positives, so a label with 40 examples in 700 is still learnt.
    pos = y.sum(axis=0)
    pos_weight = np.sqrt(np.maximum(n - pos, 1.0) / np.maximum(pos, 1.0))
    sample_w = np.where(y > 0, pos_weight, 1.0)
    w = np.zeros((d, k))
    b = np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps, lr, l2 = 0.9, 0.999, 1e-8, SETTINGS["lr"], SETTINGS["l2"]
    for step in range(1, SETTINGS["epochs"] + 1):
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
        err = (p - y) * sample_w / n
        grad_w = xt @ err + l2 * w / n
        grad_b = err.sum(axis=0)
        for param, grad, m, v in ((w, grad_w, m_w, v_w), (b, grad_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= lr * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return Model(tuple(labels), vocab, array("d", np.ascontiguousarray(w, dtype=np.float64).ravel().tolist()),
                 array("d", b.tolist()))


# -- the corpus and the cached model per language ---------------------------------------------------------------


def corpus_path(lang: str) -> Path:
    """The corpus for a language: the course directory's ``data/coach/`` if it has one, else the repository's."""
    from ..content import REPO_ROOT, course_dir

    for root in (course_dir(), REPO_ROOT):
        path = root / "data" / "coach" / f"corpus.{lang}.jsonl"
        if path.is_file():
            return path
    raise FileNotFoundError(f"Fant ikke data/coach/corpus.{lang}.jsonl")


def read_corpus(path: Path) -> list[dict]:
    """The labelled examples in a JSON-lines file: ``{"text": ..., "labels": [...]}`` per line."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{number}: ikke gyldig JSON ({exc.msg})") from None
        if not isinstance(record.get("text"), str) or not isinstance(record.get("labels"), list):
            raise ValueError(f"{path.name}:{number}: trenger «text» (tekst) og «labels» (liste)")
        records.append(record)
    return records


def _cache_dir() -> Path:
    if os.environ.get("TRYGGE_CACHE_DIR"):
        return Path(os.environ["TRYGGE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trygge"


def cache_key(corpus: bytes, labels: Sequence[str]) -> str:
    """What the cached model depends on: the corpus, the labels, the feature code's version and the settings."""
    h = hashlib.sha256(corpus)
    h.update(json.dumps([MODEL_VERSION, SETTINGS, list(labels)], sort_keys=True).encode())
    return h.hexdigest()[:16]


_models: dict[str, Model] = {}
_lock = threading.Lock()


def model_for(lang: str, labels: Sequence[str]) -> Model:
    """The model for a language (trained once per process, or read from the disk cache)."""
    key = lang
    model = _models.get(key)
    if model is not None:
        return model
    with _lock:
        if key in _models:
            return _models[key]
        path = corpus_path(lang)
        raw = path.read_bytes()
        cached = _cache_dir() / f"coach-{lang}-{cache_key(raw, labels)}.bin"
        model = None
        if cached.is_file():
            try:
                model = Model.load(cached)
            except Exception:  # a broken cache file is retrained, never fatal
                log.warning("coach: could not read the cached model %s; training again", cached)
        if model is None:
            records = read_corpus(path)
            model = train([r["text"] for r in records], [r["labels"] for r in records], labels)
            try:
                model.save(cached)
            except OSError:
                log.info("coach: could not write the model cache in %s; keeping the model in memory", cached.parent)
        _models[key] = model
        return model


def forget() -> None:
    """Drop the models held in this process (tests; a changed corpus)."""
    with _lock:
        _models.clear()
