package actors

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/petermattis/goid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/supervisor"
)

// Actors on one loop take turns: tasks and messages posted from many goroutines never run at
// once, each sender's run in order, and the code running knows its loop.
func TestLoopRunsOneThingAtATime(t *testing.T) {
	sys := supervisor.NewSystem(nil)
	defer sys.Shutdown()
	loop := NewLoop()
	var inside, overlaps atomic.Int32
	var mu sync.Mutex
	last := map[int]int{} // sender -> last value seen
	disorder := 0
	enter := func(sender, v int) {
		if inside.Add(1) != 1 {
			overlaps.Add(1)
		}
		if !loop.Current() {
			overlaps.Add(1)
		}
		mu.Lock()
		if v != last[sender]+1 {
			disorder++
		}
		last[sender] = v
		mu.Unlock()
		inside.Add(-1)
	}
	type msg struct{ sender, v int }
	const actorsOnLoop, senders, each = 4, 4, 500
	var done sync.WaitGroup
	done.Add(actorsOnLoop*senders*each + senders*each)
	var pids []*actor.PID
	for range actorsOnLoop {
		pids = append(pids, sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
			if m, ok := ctx.Message().(msg); ok {
				enter(m.sender, m.v)
				done.Done()
			}
		}, actor.WithMailbox(func() actor.Mailbox { return newMailbox(loop) }))))
	}
	var start sync.WaitGroup
	start.Add(senders)
	for s := range senders {
		go func() {
			start.Done()
			start.Wait()
			for v := 1; v <= each; v++ {
				for i, pid := range pids {
					sys.Root.Send(pid, msg{sender: 100*i + s, v: v})
				}
				loop.Post(func() { enter(-1-s, v); done.Done() })
			}
		}()
	}
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		t.Fatal("not everything ran")
	}
	assert.Zero(t, overlaps.Load(), "two turns overlapped, or a turn did not know its loop")
	assert.Zero(t, disorder, "a sender's messages ran out of order")
	assert.False(t, loop.Current(), "the test goroutine does not run the loop")
}

// A reader that runs an idle loop inline hands it to a goroutine of its own after its budget,
// so that it can go back to reading; everything queued still runs.
func TestLoopInlineRunHandsOver(t *testing.T) {
	loop := NewLoop()
	type item struct{ i, g int64 } // which item, on which goroutine
	ran := make(chan item, 2*inlineBudget)
	mustRun := false
	for i := range 2 * inlineBudget {
		if loop.enqueue(loopItem{fn: func() { ran <- item{int64(i), goid.Get()} }}) {
			mustRun = true
		}
	}
	require.True(t, mustRun, "the first post to an idle loop must run it")
	loop.run(inlineBudget)
	me := goid.Get()
	for i := range 2 * inlineBudget {
		select {
		case got := <-ran:
			assert.Equal(t, int64(i), got.i, "in order")
			if i < inlineBudget {
				assert.Equal(t, me, got.g, "item %d ran inline", i)
			} else {
				assert.NotEqual(t, me, got.g, "the inline run went past its budget: item %d", i)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("item %d never ran after the hand-over", i)
		}
	}
}

// Current finds the loop of a group that the calling goroutine runs; Next goes round.
func TestLoopGroup(t *testing.T) {
	g := NewLoopGroup(3)
	assert.Equal(t, 3, g.Len())
	seen := map[*Loop]int{}
	for range 6 {
		seen[g.Next()]++
	}
	assert.Len(t, seen, 3)
	for _, n := range seen {
		assert.Equal(t, 2, n)
	}
	l := g.Next()
	got := make(chan *Loop, 1)
	l.Post(func() { got <- g.Current() })
	select {
	case cur := <-got:
		assert.Same(t, l, cur)
	case <-time.After(10 * time.Second):
		t.Fatal("the task never ran")
	}
	assert.Nil(t, g.Current())
	assert.Nil(t, CurrentLoop())
}

// An elastic group makes a loop for every Next, and knows them as its own; a loop of
// another group is not its.
func TestElasticLoopGroup(t *testing.T) {
	g, other := NewLoopGroup(0), NewLoopGroup(1)
	assert.Equal(t, 0, g.Len())
	a, b := g.Next(), g.Next()
	assert.NotSame(t, a, b)
	type found struct{ mine, theirs, any *Loop }
	theirs := other.Next()
	for _, want := range []found{{b, nil, b}, {nil, theirs, theirs}} {
		got := make(chan found, 1)
		want.any.Post(func() { got <- found{g.Current(), other.Current(), CurrentLoop()} })
		select {
		case f := <-got:
			assert.Equal(t, want, f)
		case <-time.After(10 * time.Second):
			t.Fatal("a task never ran")
		}
	}
}

// The runner table keeps each goroutine's loop, in its slot or, when another goroutine holds
// that slot, in the spill map; clearing one entry leaves the other.
func TestRunnerTableSpill(t *testing.T) {
	var tab runnerTable
	a, b := NewLoop(), NewLoop()
	const id = 7
	other := id + int64(len(tab.slots)) // same slot
	tab.set(id, a)
	tab.set(other, b)
	assert.Same(t, a, tab.get(id))
	assert.Same(t, b, tab.get(other))
	assert.Equal(t, int32(1), tab.spilled.Load())
	tab.set(id, nil)
	assert.Nil(t, tab.get(id))
	assert.Same(t, b, tab.get(other))
	tab.set(other, nil)
	assert.Nil(t, tab.get(other))
	assert.Equal(t, int32(0), tab.spilled.Load())
}
