package actors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A reader does not linger at first; it lingers minLinger once woken soon after it parked,
// twice as long each time that happens again (up to maxLinger), and not at all after a long
// sleep. A reader started again without a park (Resume) keeps the linger it had.
func TestLingerAdapts(t *testing.T) {
	var l linger
	assert.Zero(t, l.woke(), "first reader")
	assert.Zero(t, l.woke(), "a reader started again without a park (Resume)")
	for _, want := range []time.Duration{minLinger, 2 * minLinger, 4 * minLinger} {
		l.parkedAt = time.Now() // woken at once: parked too early
		assert.Equal(t, want, l.woke())
	}
	for range 10 {
		l.parkedAt = time.Now()
		l.woke()
	}
	assert.Equal(t, maxLinger, l.d, "never beyond maxLinger")
	assert.Equal(t, maxLinger, l.woke(), "Resume keeps the linger")
	l.parkedAt = time.Now().Add(-2 * maxLinger) // slept long: idle, not chatty
	assert.Zero(t, l.woke())
}

// A new connection's first reader that saw nothing parks as if it had from the start: its
// wake does not linger, however soon it comes. One that read something and then idled parks
// as any other: woken soon, it lingers.
func TestLingerAfterFirstReader(t *testing.T) {
	var quiet linger
	quiet.parking(true)
	assert.Zero(t, quiet.woke(), "a connection quiet since it opened, woken by a burst")

	var talked linger
	talked.parking(false)
	assert.Equal(t, minLinger, talked.woke(), "a connection that talked and went quiet briefly")
}
