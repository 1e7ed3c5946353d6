#!/usr/bin/env bash
# penumbra-prof as users run it, on a synthetic trace of known shape (6 ranks, 2 nodes, 9 epochs, 48 objects)
# written by penumbra-trace-synth. Every expectation is a number from that shape or a property checked by an
# independent reader (python3's json and xml.etree, otf2-print), never something penumbra-prof computed.
#   prof_test.sh BIN_DIR CASE   CASE: summary compare plot perfetto otf2 replay truncated progress fuzz usage
set -euo pipefail
bin=$1 case=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
epochs=9 ranks=6
trace=$("$bin/penumbra-trace-synth" --out "$work" --run-name synth --ranks $ranks --nodes 2 --epochs $epochs --objects 48)
[[ -f "$trace" ]] || fail "penumbra-trace-synth wrote no trace"

# Runs penumbra-prof, keeping stdout, stderr and the exit status.
prof() {
  set +e
  "$bin/penumbra-prof" "$@" >"$work/out" 2>"$work/err"
  status=$?
  set -e
  cat "$work/out" "$work/err"
}

case "$case" in
  summary)
    prof summary "$trace"
    [[ $status -eq 0 ]] || fail "exit $status"
    rows=$(grep -Ec '^ +[0-9]+ +(periodic|threshold|manual) ' "$work/out")
    [[ $rows -eq $epochs ]] || fail "$rows epoch rows, expected $epochs"
    grep -q "^totals: $epochs epochs" "$work/out" || fail "no totals line for $epochs epochs"
    ;;
  compare)
    other=$("$bin/penumbra-trace-synth" --out "$work" --run-name other --ranks $ranks --nodes 2 --epochs 5 --objects 48 --seed 7)
    prof compare "$trace" "$other"
    [[ $status -eq 0 ]] || fail "exit $status"
    rows=$(grep -Ec '^ +[0-9]+ +[0-9.]+ +[0-9.]+ ' "$work/out")
    [[ $rows -eq 5 ]] || fail "$rows side-by-side rows, expected the 5 epochs both runs have"
    ;;
  plot)
    prof plot "$trace" --out "$work/plots"
    [[ $status -eq 0 ]] || fail "exit $status"
    count=$(find "$work/plots" -name '*.svg' | wc -l)
    [[ $count -eq 4 ]] || fail "$count SVG files, expected 4"
    python3 - "$work/plots" "$ranks" "$epochs" <<'PY'
import sys, pathlib, xml.etree.ElementTree as ET
folder, ranks, epochs = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ns = "{http://www.w3.org/2000/svg}"
for svg in sorted(folder.glob("*.svg")):
    root = ET.parse(svg).getroot()          # raises on malformed XML
    assert root.tag == ns + "svg", (svg, root.tag)
    print("parsed", svg.name)
# The heat map has one cell (a rect with a tooltip) per rank and epoch.
heat = ET.parse(folder / "load_heatmap.svg").getroot()
cells = [r for r in heat.iter(ns + "rect") if r.find(ns + "title") is not None]
assert len(cells) == ranks * epochs, (len(cells), ranks * epochs)
bars = [r for r in ET.parse(folder / "migrations.svg").getroot().iter(ns + "rect") if r.find(ns + "title") is not None]
assert len(bars) == epochs, len(bars)
PY
    ;;
  perfetto)
    prof export --perfetto "$trace" --out "$work/perfetto.json"
    [[ $status -eq 0 ]] || fail "exit $status"
    python3 - "$work/perfetto.json" "$trace" "$ranks" "$epochs" <<'PY'
import sys, json
doc = json.load(open(sys.argv[1]))
ranks, epochs = int(sys.argv[3]), int(sys.argv[4])
events = doc["traceEvents"]
threads = {e["tid"] for e in events if e.get("ph") == "M" and e["name"] == "thread_name"}
assert threads == set(range(ranks)), threads
epoch_slices = [e for e in events if e.get("cat") == "epoch" and e["ph"] == "X"]
assert len(epoch_slices) == ranks * epochs, len(epoch_slices)
phase_slices = [e for e in events if e.get("cat") == "phase"]
assert len(phase_slices) == ranks * epochs * 5, len(phase_slices)
# One flow start and one flow end per move recorded in the trace (read here with Python's json, not ours).
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
moves = sum(len(l["moves"]) for l in lines[1:])
assert moves > 0, "the synthetic run should move objects"
assert sum(e["ph"] == "s" for e in events) == moves and sum(e["ph"] == "f" for e in events) == moves
print("traceEvents:", len(events), "moves:", moves)
PY
    ;;
  otf2)
    command -v otf2-print >/dev/null || fail "otf2-print not installed (otf2-tools)"
    prof export --otf2 "$trace" --out "$work/otf2"
    [[ $status -eq 0 ]] || fail "exit $status"
    otf2-print "$work/otf2/synth.otf2" >"$work/print" || fail "otf2-print cannot read the archive"
    enters=$(grep -c '^ENTER ' "$work/print")
    leaves=$(grep -c '^LEAVE ' "$work/print")
    metrics=$(grep -c '^METRIC ' "$work/print")
    # Per rank and epoch: the epoch region and its 5 phases, entered and left; one metric sample.
    [[ $enters -eq $((ranks * epochs * 6)) ]] || fail "$enters ENTER events, expected $((ranks * epochs * 6))"
    [[ $leaves -eq $enters ]] || fail "$leaves LEAVE events for $enters ENTER"
    [[ $metrics -eq $((ranks * epochs)) ]] || fail "$metrics METRIC events, expected $((ranks * epochs))"
    otf2-print -G "$work/otf2/synth.otf2" >"$work/definitions" || fail "otf2-print -G cannot read the definitions"
    grep -q '^REGION .*Name: "plan"' "$work/definitions" || fail "no 'plan' region definition"
    locations=$(grep -c '^LOCATION ' "$work/definitions")
    [[ $locations -eq $ranks ]] || fail "$locations locations, expected one per rank ($ranks)"
    ;;
  replay)
    prof replay --strategy greedy "$trace"
    [[ $status -eq 0 ]] || fail "exit $status"
    rows=$(grep -Ec '^ +[0-9]+ +[0-9.]+ +[0-9]+ ' "$work/out")
    [[ $rows -eq $epochs ]] || fail "$rows replayed epochs, expected $epochs"
    grep -q "against greedy" "$work/out" || fail "the report does not name the strategy"
    ;;
  truncated)
    # Cut the file in the middle of line 7 (the sixth epoch), as a killed run leaves it.
    head -n 6 "$trace" >"$work/cut.jsonl"
    sed -n 7p "$trace" >"$work/line7"  # no pipe into head: its early exit would SIGPIPE sed under pipefail
    head -c 200 "$work/line7" >>"$work/cut.jsonl"
    for command in "summary" "plot --out $work/p" "export --perfetto --out $work/p.json" "replay --strategy greedy"; do
      # shellcheck disable=SC2086
      prof $command "$work/cut.jsonl"
      [[ $status -eq 1 || $status -eq 2 ]] || fail "'$command' exited $status on a truncated trace, expected 1 or 2"
      grep -q "cut.jsonl:7" "$work/err" || fail "'$command' error does not name line 7"
    done
    ;;
  progress)
    # Not a terminal here: no bar unless asked for; with --progress a bar that reaches 100%.
    prof summary "$trace"
    [[ ! -s "$work/err" ]] || fail "stderr not empty without --progress: $(cat "$work/err")"
    prof summary --progress "$trace"
    [[ $status -eq 0 ]] || fail "exit $status"
    grep -q '\] 100%' "$work/err" || fail "no progress bar reaching 100% on stderr"
    grep -q '\] 100%' "$work/out" && fail "the progress bar went to stdout"
    ;;
  fuzz)
    # 150 damaged copies (seeded: random bytes replaced, ranges deleted, lines duplicated or cut): every run
    # must end with 0, 1 or 2, never a signal, and a failure must name a line of the file.
    python3 - "$bin/penumbra-prof" "$trace" "$work" <<'PY'
import random, subprocess, sys
prof, trace, work = sys.argv[1], sys.argv[2], sys.argv[3]
good = open(trace, "rb").read()
rng = random.Random(8)
for i in range(150):
    data = bytearray(good)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(4)
        at = rng.randrange(len(data))
        if kind == 0:
            data[at] = rng.choice(b'{}[]",:0123456789-.eE ntfx\n')
        elif kind == 1:
            del data[at:at + rng.randint(1, 40)]
        elif kind == 2:
            data[at:at] = data[at:at + rng.randint(1, 200)]
        else:
            data = data[:at]
    path = f"{work}/fuzz.jsonl"
    open(path, "wb").write(bytes(data))
    for args in (["summary", path], ["replay", "--strategy", "greedy", path]):
        run = subprocess.run([prof] + args, capture_output=True, text=True)
        assert run.returncode in (0, 1, 2), (i, args, run.returncode, run.stderr[-300:])
        if run.returncode == 1:
            assert "fuzz.jsonl" in run.stderr, (i, run.stderr)
print("150 damaged traces: no crash")
PY
    ;;
  usage)
    prof summary
    [[ $status -eq 2 ]] || fail "missing TRACE exited $status, expected 2"
    prof frobnicate "$trace"
    [[ $status -eq 2 ]] || fail "unknown subcommand exited $status, expected 2"
    prof export "$trace" --out "$work/x"
    [[ $status -eq 2 ]] || fail "export without --perfetto/--otf2 exited $status, expected 2"
    prof summary "$work/missing.jsonl"
    [[ $status -eq 1 ]] || fail "missing file exited $status, expected 1"
    grep -q "missing.jsonl" "$work/err" || fail "missing-file error does not name the file"
    ;;
  *) fail "unknown case $case" ;;
esac
echo "PASSED: $case"
