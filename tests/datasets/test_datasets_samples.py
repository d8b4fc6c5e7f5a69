"""Sample datasets: clean ones pass, broken ones produce exactly the findings their README lists.

Together these cover, for every seedable rule of every kind, one input that triggers it (the
broken sample) and one that does not (the clean sample).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from speechflows.datasets import DataKind, Severity, ValidationReport, rules_for, validate
from speechflows.datasets.samples import seeded_codes
from tests.datasets.conftest import sample

LOCALES = ["de-DE", "ja-JP", "zh-CN"]


@pytest.mark.parametrize("kind", list(DataKind), ids=str)
def test_clean_sample_has_no_errors(
    kind: DataKind, good_reports: dict[DataKind, ValidationReport]
) -> None:
    report = good_reports[kind]
    expected = {"dataset.too_few_utterances": 1} if kind is DataKind.AUDIO_AND_SCRIPT else {}
    assert report.counts_by_code() == expected, report.to_text()
    assert report.utterance_count > 0
    assert not report.rejected_files and report.rejected_count == 0


@pytest.mark.parametrize("kind", list(DataKind), ids=str)
def test_broken_sample_has_exactly_its_listed_findings(
    kind: DataKind, broken_reports: dict[DataKind, tuple[ValidationReport, Path]]
) -> None:
    report, readme = broken_reports[kind]
    listed = seeded_codes(readme)
    assert len(listed) == len(set(listed))
    assert report.counts_by_code() == dict.fromkeys(sorted(listed), 1), report.to_text(limit=None)


@pytest.mark.parametrize("kind", list(DataKind), ids=str)
def test_broken_sample_seeds_every_seedable_rule(
    kind: DataKind, broken_reports: dict[DataKind, tuple[ValidationReport, Path]]
) -> None:
    _, readme = broken_reports[kind]
    seedable = {code for code, rule in rules_for(kind, "en-US").items() if rule.seedable}
    assert set(seeded_codes(readme)) == seedable
    assert seedable.isdisjoint(
        code for code, n in broken_reports[kind][0].counts_by_code().items() if n != 1
    )


@pytest.mark.parametrize("kind", list(DataKind), ids=str)
def test_every_error_is_seeded_or_explained(kind: DataKind) -> None:
    for code, rule in rules_for(kind).items():
        assert rule.seedable or rule.why_not_seeded, code
        if rule.severity is Severity.ERROR and not rule.seedable:
            assert "unit test" in rule.why_not_seeded, code


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "kind",
    [DataKind.AUDIO_AND_SCRIPT, DataKind.ACOUSTIC, DataKind.LANGUAGE, DataKind.PRONUNCIATION],
    ids=str,
)
def test_broken_samples_follow_the_locale(kind: DataKind, locale: str, samples_root: Path) -> None:
    path, readme = sample(samples_root, kind, broken=True, locale=locale)
    report = validate(path, kind, locale=locale)
    listed = seeded_codes(readme)
    seedable = {c for c, r in rules_for(kind, locale).items() if r.seedable}
    assert set(listed) == seedable
    assert report.counts_by_code() == dict.fromkeys(sorted(listed), 1), report.to_text(limit=None)


def test_clean_acoustic_in_german_has_a_bom_and_passes(samples_root: Path) -> None:
    path, _ = sample(samples_root, DataKind.ACOUSTIC, broken=False, locale="de-DE")
    assert (path / "trans.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    assert validate(path, DataKind.ACOUSTIC, locale="de-DE").counts_by_code() == {}


def test_readme_lists_rules_not_seeded_with_reasons(
    broken_reports: dict[DataKind, tuple[ValidationReport, Path]],
) -> None:
    _, readme = broken_reports[DataKind.AUDIO_AND_SCRIPT]
    text = readme.read_text()
    assert "- `dataset.no_script`:" in text and "- `dataset.too_large`:" in text


def test_count_sets_the_size_and_seed_varies_audio(tmp_path: Path) -> None:
    from speechflows.datasets import write_sample

    a = write_sample(tmp_path / "a", DataKind.AUDIO_AND_SCRIPT, count=25)
    b = write_sample(tmp_path / "b", DataKind.AUDIO_AND_SCRIPT, count=25, seed=1)
    report = validate(a, DataKind.AUDIO_AND_SCRIPT, min_utterances=20)
    assert report.utterance_count == 25 and report.counts_by_code() == {}
    assert Counter(p.suffix for p in a.iterdir()) == {".wav": 25, ".txt": 1}
    assert (a / "0000000001.wav").read_bytes() != (b / "0000000001.wav").read_bytes()
