"""`evalbook score --inputs`: output formats, exit statuses and clear Chinese errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from evalbook.cli import main
from evalbook.engine import score
from evalbook.framework import load_framework
from tests.helpers import OTHER_FRAMEWORK, SEED_JSON, seed_inputs


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_output_equals_the_python_api() -> None:
    code, out, _ = run("score", "--inputs", str(SEED_JSON), "--format", "json")
    assert code == 0
    assert json.loads(out) == score(seed_inputs(), load_framework()).to_json()


def test_text_output_is_a_chinese_table() -> None:
    code, out, _ = run("score", "--inputs", str(SEED_JSON))
    assert code == 0
    assert "财政供养人员控制率" in out
    assert "总分          100.00 / 100    评价等次：优" in out
    assert "表头“产出（20分）”与其下各项分值之和 25 分不一致" in out


def test_invalid_json(tmp_path: Path) -> None:
    bad = tmp_path / "坏.json"
    bad.write_text("{ not json", encoding="utf-8")
    code, _, err = run("score", "--inputs", str(bad))
    assert code == 2
    assert "输入文件《坏.json》不是有效的 JSON：第1行第3列" in err


def test_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"EB_DEPT_NAME": "x", "EB_NOPE": 1}), encoding="utf-8")
    code, _, err = run("score", "--inputs", str(path))
    assert code == 2
    assert "含有未知的键：EB_NOPE" in err


def test_missing_file_and_wrong_shapes(tmp_path: Path) -> None:
    code, _, err = run("score", "--inputs", str(tmp_path / "none.json"))
    assert (code, "找不到输入文件" in err) == (2, True)
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    assert run("score", "--inputs", str(path))[0] == 2
    path.write_text(json.dumps({"EB_INCOME": [[1, 2, 3, 4, 5, 6, 7, 8, 9]]}), encoding="utf-8")
    code, _, err = run("score", "--inputs", str(path))
    assert code == 2 and "EB_INCOME 第1行有 9 列，最多 7 列" in err


def test_bad_values_are_statuses_not_tracebacks(tmp_path: Path) -> None:
    data = seed_inputs() | {"EB_STAFF_ACTUAL": "六", "EB_SANGONG_PREV": "０.１５万元"}
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("score", "--inputs", str(path), "--format", "json")
    assert code == 0
    result = json.loads(out)
    staff = next(i for i in result["indicators"] if i["id"] == "staff_control")
    assert (staff["score"], staff["status"]) == (None, "invalid-input")
    assert [(n["key"], n["severity"]) for n in result["notes"]] == [
        ("EB_STAFF_ACTUAL", "error"), ("EB_SANGONG_PREV", "warning")]


def test_other_framework_and_broken_framework(tmp_path: Path) -> None:
    # judged scores of indicators the other framework doesn't have are unknown keys there
    code, _, err = run("score", "--inputs", str(SEED_JSON), "--framework", str(OTHER_FRAMEWORK))
    assert code == 2 and "EB_SCORE_BENEFIT_SOCIAL" in err
    data = {k: v for k, v in seed_inputs().items() if not k.startswith("EB_SCORE_")}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data | {"EB_SCORE_BENEFIT": 4}), encoding="utf-8")
    code, out, _ = run("score", "--inputs", str(path), "--framework", str(OTHER_FRAMEWORK),
                       "--format", "json")
    assert code == 0 and json.loads(out)["framework"]["id"] == "sample-other-region"
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\n[[indicators]]\nid = "a"\n', encoding="utf-8")
    code, _, err = run("score", "--inputs", str(SEED_JSON), "--framework", str(broken))
    assert code == 2 and "评分框架《broken.toml》有误" in err and "Traceback" not in err


def test_needs_exactly_one_source() -> None:
    code, _, err = run("score")
    assert code == 2 and "请给出 --inputs" in err
