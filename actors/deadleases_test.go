package actors

import (
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/supervisor"
)

// An actor system that was shut down and dropped is garbage, unless releaseDeadLeases saw it
// last: lastDeadLeases holds it (a whole actor system, its registry and the actors' state)
// until another system starts a socket, which in a program with one runtime is never.
// deadLeases is keyed by weak pointers so as not to pin systems; lastDeadLeases does.
func TestDeadLeasesDoNotPinASystem(t *testing.T) {
	mk := func(hook bool) weak.Pointer[actor.ActorSystem] {
		sys := supervisor.NewSystem(nil)
		if hook {
			releaseDeadLeases(sys)
		}
		sys.Shutdown()
		return weak.Make(sys)
	}
	gone := func(w weak.Pointer[actor.ActorSystem]) bool {
		for range 20 {
			runtime.GC()
			if w.Value() == nil {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		return false
	}
	time.Sleep(200 * time.Millisecond) // the dead-letter throttle's goroutine ends
	if !gone(mk(false)) {
		t.Skip("an actor system is not collectable here even without the hook: inconclusive")
	}
	w := mk(true)
	time.Sleep(200 * time.Millisecond)
	assert.True(t, gone(w), "the system whose sockets' dead letters release leases is never collected")
	forgotten := false
	for range 20 { // and its entry goes with it (the cleanup runs after the collection)
		runtime.GC()
		if _, held := deadLeases.Load(w); !held {
			forgotten = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	assert.True(t, forgotten, "a collected system's entry is kept")
	lastDeadLeases.Store(nil) // do not pin it for the other tests
}
