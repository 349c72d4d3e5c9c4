package actors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A reader's linger starts short, doubles while the reader is woken soon after it parked
// (up to maxLinger), and starts short again after a long sleep.
func TestLingerAdapts(t *testing.T) {
	var l linger
	assert.Equal(t, minLinger, l.woke(), "first reader")
	assert.Equal(t, minLinger, l.woke(), "a reader started again without a park (Resume)")
	for _, want := range []time.Duration{2 * minLinger, 4 * minLinger} {
		l.parkedAt = time.Now() // woken at once: parked too early
		assert.Equal(t, want, l.woke())
	}
	for range 10 {
		l.parkedAt = time.Now()
		l.woke()
	}
	assert.Equal(t, maxLinger, l.d, "never beyond maxLinger")
	l.parkedAt = time.Now().Add(-2 * maxLinger) // slept long: idle, not chatty
	assert.Equal(t, minLinger, l.woke())
}
