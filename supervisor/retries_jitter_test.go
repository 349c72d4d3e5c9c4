package supervisor_test

import (
	"testing"
	"time"

	"github.com/actornet/actornet/supervisor"
)

// Retries.Next returns -1 only when the budget is spent. A Jitter above 1 (nothing rejects
// it: ClientConfig and ClientOptions take any fraction) must not make a wait negative, which
// the clients read as "gave up" while the budget still allows 1000 attempts.
func TestRetriesJitterNeverGivesUpEarly(t *testing.T) {
	r := supervisor.Retries{Budget: supervisor.Budget{MaxRestarts: 1000, Window: time.Hour,
		MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}, Jitter: 1.5}
	for i := range 200 {
		if wait := r.Next(); wait < 0 {
			t.Fatalf("attempt %d of a budget of 1000: Next returned %v, which means the budget is spent", i+1, wait)
		}
	}
}
