package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/interp"
)

// Display shows events to a person: on a terminal (Live) one redrawn line
// with a bar per running stage, below the permanent lines of finished
// stages and log messages; otherwise plain lines, with a progress line per
// stage at most every PlainEvery or every 10% of its total.
type Display struct {
	w    io.Writer
	live bool
	now  func() time.Time
	// width returns the terminal width (live mode).
	width func() int

	// PlainEvery is the minimum interval between progress lines of one
	// stage in plain mode.
	PlainEvery time.Duration

	mu      sync.Mutex
	running map[string]*stageState
	order   []string // running stages in start order
	drawn   int      // live lines currently on screen
	last    time.Time
	stop    chan struct{}
	stopped sync.WaitGroup
}

// NewPlain returns a display writing plain lines.
func NewPlain(w io.Writer) *Display {
	return &Display{w: w, now: time.Now, running: map[string]*stageState{}, PlainEvery: 10 * time.Second}
}

// NewLive returns a display for a terminal of the given width; it
// redraws at most ten times a second and on every stage change. Call
// Close when the run ends.
func NewLive(w io.Writer, width func() int) *Display {
	d := &Display{w: w, live: true, now: time.Now, width: width, running: map[string]*stageState{}, stop: make(chan struct{})}
	d.stopped.Add(1)
	go d.ticker()
	return d
}

// ticker redraws so that elapsed times and ETAs move even without events.
func (d *Display) ticker() {
	defer d.stopped.Done()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.mu.Lock()
			d.redraw()
			d.mu.Unlock()
		case <-d.stop:
			return
		}
	}
}

// Close stops redrawing and clears the live lines.
func (d *Display) Close() {
	if d.stop != nil {
		close(d.stop)
		d.stopped.Wait()
		d.stop = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
}

// Event implements interp.Observer.
func (d *Display) Event(e interp.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	s := d.running[e.Stage]
	switch e.Type {
	case interp.EventStageStarted:
		s = &stageState{id: e.Stage, kind: e.Kind, started: now, lastPct: -1}
		d.running[e.Stage] = s
		d.order = append(d.order, e.Stage)
	case interp.EventProgress:
		if s == nil {
			return
		}
		if e.Total > 0 {
			s.total = e.Total
		}
		if e.Unit != "" {
			s.unit = e.Unit
		}
		if e.Metrics != nil {
			s.metrics = e.Metrics
		}
		// The rate counts from the first real update, not from Start: a
		// resumed stage jumps straight to its checkpoint's step.
		if s.rateFrom.IsZero() && e.Done > 0 {
			s.rateFrom, s.rateDone = now, e.Done
		}
		s.done = e.Done
		if d.live {
			if now.Sub(d.last) >= 100*time.Millisecond {
				d.redraw()
			}
		} else {
			d.plainProgress(s, now)
		}
		return
	case interp.EventLog:
		d.permanent(e.Message)
		return
	}
	if line := outcomeLine(e, s); line != "" {
		d.permanent(line)
	}
	switch e.Type {
	case interp.EventStageFinished, interp.EventStageFailed, interp.EventStageInterrupted:
		delete(d.running, e.Stage)
		for i, id := range d.order {
			if id == e.Stage {
				d.order = append(d.order[:i], d.order[i+1:]...)
				break
			}
		}
	}
	if d.live {
		d.redraw()
	}
}

func (d *Display) plainProgress(s *stageState, now time.Time) {
	pct := -1
	if s.total > 0 {
		pct = s.done * 10 / s.total
	}
	due := now.Sub(s.lastPrint) >= d.PlainEvery || (pct >= 0 && pct != s.lastPct)
	if !due || (s.done == 0 && s.total > 0) {
		return
	}
	s.lastPrint, s.lastPct = now, pct
	fmt.Fprintf(d.w, "%s: %s\n", s.id, s.status(now))
}

// Message prints a line of the caller's (such as the notice that a signal
// is stopping the run) above the live block. Writing it to the terminal
// directly would put it where the next redraw erases it.
func (d *Display) Message(line string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.permanent(line)
	d.redraw()
}

// permanent prints a line above the live block.
func (d *Display) permanent(line string) {
	if d.live {
		d.clear()
	}
	fmt.Fprintln(d.w, line)
}

// clear erases the live lines (cursor ends where they began).
func (d *Display) clear() {
	if d.drawn == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\x1b[%dA", d.drawn)
	for i := 0; i < d.drawn; i++ {
		b.WriteString("\r\x1b[2K\n")
	}
	fmt.Fprintf(&b, "\x1b[%dA", d.drawn)
	io.WriteString(d.w, b.String())
	d.drawn = 0
}

// redraw rewrites the live block: one line per running stage.
func (d *Display) redraw() {
	if !d.live {
		return
	}
	now := d.now()
	d.last = now
	width := 80
	if d.width != nil {
		if w := d.width(); w > 20 {
			width = w
		}
	}
	var b strings.Builder
	if d.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", d.drawn)
	}
	for _, id := range d.order {
		b.WriteString("\r\x1b[2K")
		b.WriteString(liveLine(d.running[id], now, width))
		b.WriteString("\n")
	}
	// Erase lines left over from a taller block.
	for i := len(d.order); i < d.drawn; i++ {
		b.WriteString("\r\x1b[2K\n")
	}
	if extra := d.drawn - len(d.order); extra > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", extra)
	}
	io.WriteString(d.w, b.String())
	d.drawn = len(d.order)
}

// liveLine is "name [#####.....] 45/100 steps  3.2 steps/s  ETA 17s  loss=1.2",
// cut to the terminal width.
func liveLine(s *stageState, now time.Time, width int) string {
	line := s.id + " "
	if s.total > 0 {
		const barWidth = 20
		filled := min(barWidth, s.done*barWidth/s.total)
		line += "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "] "
	}
	line += s.status(now)
	if r := []rune(line); len(r) > width-1 {
		line = string(r[:width-1])
	}
	return line
}
