"""The bundled model: embeddings as the original all-MiniLM-L6-v2 gives them, a damaged file
refused, the model loaded with the first question, and the lexical matcher as the fallback."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from coachbot.content import Content
from coachbot.faq.choose import LEXICAL_ONLY, LazyMatcher, choose_matcher
from coachbot.faq.embedder import MODEL_DIR, MiniLM, ModelUnavailable, load_embedder
from coachbot.faq.lexical import LexicalMatcher
from coachbot.faq.semantic import HybridMatcher
from tests.conftest import ROOT
from tests.unit.test_faq_matching import shared_cache

REFERENCE = ROOT / "tests" / "data" / "faq_model_reference.json"


def reference() -> tuple[list[str], np.ndarray]:
    data = json.loads(REFERENCE.read_text())
    texts = [row["text"] for row in data["sentences"]]
    return texts, np.array([row["vector"] for row in data["sentences"]], dtype=np.float32)


def test_the_bundled_model_embeds_as_the_original_model_does() -> None:
    texts, original = reference()
    model = load_embedder()
    together = model.encode(texts)
    one_by_one = np.vstack([model.encode([text]) for text in texts])
    for vectors in (together, one_by_one):
        assert vectors.shape == original.shape
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        cosines = np.sum(vectors * original, axis=1)
        assert cosines.min() >= 0.99, dict(zip(texts, cosines.round(4), strict=True))


def test_different_sentences_get_different_embeddings() -> None:
    """A broken export that returns one vector for everything would pass a cosine-to-itself test."""
    texts, original = reference()
    vectors = load_embedder().encode(texts)
    similar = vectors @ vectors.T
    assert np.all(similar[~np.eye(len(texts), dtype=bool)] < 0.9)
    assert np.argmax(vectors @ original.T, axis=1).tolist() == list(range(len(texts)))


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    with (copy / "model.onnx").open("r+b") as handle:
        handle.seek(1_000_000)
        handle.write(b"\x00" * 64)
    return copy


def test_a_damaged_model_file_is_refused_with_its_path(damaged: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"model\.onnx has sha256 .* reinstall coachbot"):
        MiniLM(damaged)
    (damaged / "tokenizer.json").unlink()
    with pytest.raises(ModelUnavailable, match=r"tokenizer\.json is missing"):
        MiniLM(damaged)


def test_when_the_model_cannot_load_the_lexical_matcher_answers_and_the_log_says_why(
        damaged: Path, content: Content, caplog: pytest.LogCaptureFixture) -> None:
    lazy = LazyMatcher(content.faq, None, load=lambda: MiniLM(damaged))
    with caplog.at_level(logging.INFO, logger="coachbot.faq"):
        found = lazy.match("how do i pause my lessons")
    assert found.entry is not None and found.entry.id == "pause-lessons"
    assert isinstance(lazy.ready(), LexicalMatcher)
    assert "FAQ matcher: lexical, because the semantic model could not load" in caplog.text
    assert "model.onnx" in caplog.text


def test_the_model_loads_with_the_first_question_not_at_start_up(
        content: Content, tmp_path_factory: pytest.TempPathFactory,
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="coachbot.faq"):
        matcher = choose_matcher(content.faq, shared_cache(tmp_path_factory))
        assert isinstance(matcher, LazyMatcher) and not matcher.loaded
        assert "the model loads with the first question" in caplog.text
        found = matcher.match("can i take a holiday from the tips")
    assert matcher.loaded and isinstance(matcher.ready(), HybridMatcher)
    assert found.entry is not None and found.entry.id == "pause-lessons"
    assert "FAQ matcher: semantic hybrid with all-MiniLM-L6-v2 (ONNX" in caplog.text


def test_the_lexical_matcher_can_be_chosen_by_setting(content: Content, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(LEXICAL_ONLY, "1")
    with caplog.at_level(logging.INFO, logger="coachbot.faq"):
        assert isinstance(choose_matcher(content.faq, None), LexicalMatcher)
    assert f"FAQ matcher: lexical ({LEXICAL_ONLY}=1)" in caplog.text
