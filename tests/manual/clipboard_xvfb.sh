#!/usr/bin/env bash
# The system clipboard end to end, in a real window under Xvfb (not part of CI: it needs
# xdotool and python3-tk). Puts 100,000 characters on the X clipboard, pastes them into
# the sentence box with Ctrl+V while --frame-log measures frames, then checks that the
# saved sentence kept the box's 2,000 and that Ctrl+C exports a sentence.
#
#     bash tests/manual/clipboard_xvfb.sh [path/to/llm-lens]
set -euo pipefail
BIN=${1:-target/release/llm-lens}
WORK=$(mktemp -d)
export XDG_DATA_HOME=$WORK/data HOME=$WORK XDG_RUNTIME_DIR=$WORK/run DISPLAY=:137
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
Xvfb "$DISPLAY" -screen 0 1280x900x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 2
# Owns the clipboard for 90 s.
python3 - <<'PY' &
import tkinter
r = tkinter.Tk(); r.withdraw(); r.clipboard_clear()
r.clipboard_append(("The bank of the river " * 5000)[:100000]); r.update()
r.after(90000, r.destroy); r.mainloop()
PY
sleep 1
"$BIN" --backend cpu --lesson tokenisation --frame-log "$WORK/frames.txt" &
APP=$!
sleep 6
xdotool windowfocus "$(xdotool search --name 'LLM Lens' | head -1)" || true
xdotool mousemove 420 14 click 1   # the sentence box in the top bar
sleep 0.5
xdotool key ctrl+a key ctrl+v
wait $APP
echo "frames: $(cat "$WORK/frames.txt")"
python3 - "$XDG_DATA_HOME/llm-lens/app.ron" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r'sentence:\\"(.*?)\\",', text)
n = len(m.group(1)) if m else -1
print("saved sentence:", n, "characters")
sys.exit(0 if n == 2000 else 1)
PY
"$BIN" --backend cpu --lesson history --sentence "copy me out" &
APP=$!
sleep 6
xdotool windowfocus "$(xdotool search --name 'LLM Lens' | head -1)" || true
xdotool mousemove 420 14 click 1
sleep 0.5
xdotool key ctrl+a key ctrl+c
sleep 1
python3 -c "
import tkinter, sys
r = tkinter.Tk(); r.withdraw(); got = r.clipboard_get()
print('copied:', repr(got)); sys.exit(0 if got == 'copy me out' else 1)"
kill $APP
