"""Hostile input against a running suite: each answer's status and time, and each service's memory.

The cases of issue #13: a transcript of 10,000 utterances, one of 5 MB (with 10 normal gradings
sent at the same time, which must all succeed), time stamps of 100 hours and more, a DOCX whose
``document.xml`` inflates to 190 MB, a PDF of 5,000 pages, a grading id with a trailing newline,
and the rubric that used to poison the rubric store. Printed per case: the status, the error code,
the seconds it took and the resident memory (RSS, the process and its workers) of each service
before and after. Start a suite first (``scripts/suite.py start``; its run folder holds the key,
the internal token and the PIDs):

    .venv/bin/python benchmarks/bench_hostile.py --run-dir .run --base-url http://127.0.0.1:8000 \\
        --rubric-service http://127.0.0.1:8001
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import time
import zipfile
from pathlib import Path

import httpx
from process_memory import measure

from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER

SERVICES = ("grading_orchestrator", "rubric_management", "document_parser", "scoring")
NORMAL = (Path(__file__).resolve().parents[1] / "samples" / "stroke_interview.txt").read_text(encoding="utf-8")


def memory(run_dir: Path) -> dict[str, float]:
    return {name: measure(int((run_dir / f"{name}.pid").read_text())).rss_mib for name in SERVICES
            if (run_dir / f"{name}.pid").exists()}


def docx_bomb(inflated_mb: int = 190) -> bytes:
    paragraph = "<w:p><w:r><w:t>When did it start?</w:t></w:r></w:p>"
    body = paragraph * (inflated_mb * 1024 * 1024 // len(paragraph))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def long_pdf(pages: int = 5000) -> bytes:
    from fpdf import FPDF  # a test dependency (requirements-dev.txt)

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        pdf.cell(text="Student: When did it start?")
    return bytes(pdf.output())


def grade_json(transcript: str, fmt: str = "auto") -> dict:
    return {"rubric_id": "stroke_v1", "student_id": "hostile", "submission": {"oral_transcript": transcript,
                                                                              "format": fmt}}


async def timed(client: httpx.AsyncClient, method: str, url: str, **kwargs) -> tuple[int, str, float]:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    try:
        code = response.json().get("error", {}).get("code", "") if response.status_code >= 400 else "graded"
    except ValueError:
        code = response.text[:40]
    return response.status_code, code, time.perf_counter() - started


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True, help="the suite's run folder (key, token, PIDs)")
    parser.add_argument("--base-url", required=True, help="the orchestrator (or the gateway)")
    parser.add_argument("--rubric-service", required=True, help="rubric_management, for the poisoned rubric")
    args = parser.parse_args()
    headers = {"X-API-Key": (args.run_dir / "demo-api-key").read_text().strip()}
    internal = {INTERNAL_TOKEN_HEADER: (args.run_dir / "internal-token").read_text().strip()}
    ten_thousand = "".join(f"[{i // 60 % 60:02d}:{i % 60:02d}] Student: When did it start, number {i}?\n"
                           for i in range(10_000))
    five_mb = ("[00:01] Student: When did the weakness in your arm start, and has it changed since then?\n"
               * (5 * 1024 * 1024 // 90))
    cases = [
        ("10,000 utterances (json body)", "POST", "/grade", {"json": grade_json(ten_thousand)}),
        ("text [99:59:59]", "POST", "/grade", {"json": grade_json("[99:59:59] Student: When did it start?")}),
        ("text [100:00:00]", "POST", "/grade", {"json": grade_json("[100:00:00] Student: When did it start?")}),
        ("VTT 100:00:00.000", "POST", "/grade", {"json": grade_json(
            "WEBVTT\n\n100:00:00.000 --> 100:00:01.000\n<v Student>When did it start?\n", "vtt")}),
        ("SRT 99:99:99,999", "POST", "/grade", {"json": grade_json(
            "1\n99:99:99,999 --> 99:99:99,999\nStudent: When did it start?\n", "srt")}),
        ("JSON start 1e308", "POST", "/grade", {"json": grade_json(json.dumps(
            [{"speaker": "Student", "text": "When did it start?", "start": 1e308}]), "json")}),
        ("DOCX inflating to 190 MB", "POST", "/grade/upload", {
            "data": {"rubric_id": "stroke_v1", "student_id": "hostile"},
            "files": {"file": ("bomb.docx", docx_bomb(), "application/octet-stream")}}),
        ("PDF of 5,000 pages", "POST", "/grade/upload", {
            "data": {"rubric_id": "stroke_v1", "student_id": "hostile"},
            "files": {"file": ("long.pdf", long_pdf(), "application/pdf")}}),
        ("grading id + newline", "GET", "/gradings/" + "a" * 32 + "%0a", {}),
    ]
    print(f"{'case':34s} {'status':>6s} {'code':28s} {'s':>6s}  RSS MiB before -> after "
          f"({', '.join(SERVICES)})")
    async with httpx.AsyncClient(base_url=args.base_url, headers=headers, timeout=120) as client:
        for name, method, path, kwargs in cases:
            before = memory(args.run_dir)
            status, code, seconds = await timed(client, method, path, **kwargs)
            await asyncio.sleep(1.0)
            after = memory(args.run_dir)
            change = "  ".join(f"{before.get(s, 0):.0f}->{after.get(s, 0):.0f}" for s in SERVICES)
            print(f"{name:34s} {status:6d} {code:28s} {seconds:6.2f}  {change}", flush=True)

        before = memory(args.run_dir)
        big = asyncio.create_task(timed(client, "POST", "/grade", json=grade_json(five_mb)))
        normal = await asyncio.gather(*(timed(client, "POST", "/grade", json=grade_json(NORMAL)) for _ in range(10)))
        status, code, seconds = await big
        after = memory(args.run_dir)
        change = "  ".join(f"{before.get(s, 0):.0f}->{after.get(s, 0):.0f}" for s in SERVICES)
        print(f"{'5 MB transcript':34s} {status:6d} {code:28s} {seconds:6.2f}  {change}")
        ok = sum(result[0] == 200 for result in normal)
        print(f"{'  10 normal gradings beside it':34s} {ok:3d}/10 graded, slowest {max(r[2] for r in normal):.2f} s")

    poisoned = {"rubric_id": "poisoned_v1", "weights": {"structure": 0, "key_questions": 1, "reasoning": 0,
                                                        "summary": 0, "communication": 0},
                "key_questions": [{"id": "onset time", "label": "Onset", "phrases": ["when did"]}]}
    async with httpx.AsyncClient(base_url=args.rubric_service, headers=internal, timeout=30) as rubrics:
        validate = await timed(rubrics, "POST", "/rubrics/validate", json=poisoned)
        create = await timed(rubrics, "POST", "/rubrics", json=poisoned)
        listing = await rubrics.get("/rubrics")
        stored = (await rubrics.get("/rubrics/poisoned_v1", params={"version": "1.0.0"})).status_code
    print(f"{'poisoned rubric: validate':34s} {validate[0]:6d} {validate[1]:28s} {validate[2]:6.2f}")
    print(f"{'poisoned rubric: create':34s} {create[0]:6d} {create[1]:28s} {create[2]:6.2f}")
    print(f"{'  then GET /rubrics':34s} {listing.status_code:6d}; GET poisoned_v1 1.0.0: {stored} "
          "(404: nothing written)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
