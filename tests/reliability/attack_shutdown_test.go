package reliability

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// Shutdown under load: 50 clients stream through an echo server (pausing on backpressure)
// when Shutdown is called, twice at once from two goroutines. Both calls return only once
// shutdown is done, that is after every socket's and the server's close listeners ran; neither
// panics; every Write callback runs exactly once; Wait returns at once afterwards.
//
// Failed before the redesign (round two): the second Shutdown returns nil at once (rt.closed is already set), long
// before the sockets' close listeners ran; it should wait for the shutdown in progress. Some
// Write callbacks (a client's pump, the echo's write) never run: a Write sent just before
// its socket closes reaches the stopped actor, or its WrittenEvent comes after onClose cleared
// writeCbs.
func TestAttackShutdownUnderLoad(t *testing.T) {
	eachRuntime(t, shutdownUnderLoad)
}

func shutdownUnderLoad(t *testing.T, opts []netapi.Option) {
	const (
		clients   = 50
		chunkSize = 16 << 10
		maxEach   = 8 << 20 // a client never sends more than this
		warm      = 64 << 10
	)
	rt := attackRuntime(t, opts)
	calls := newTally()
	var closes atomic.Int64 // client, accepted socket and server close listeners run
	srvClosed := make(chan struct{})
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		n := 0
		s.OnData(func(b []byte) {
			n++
			if !s.Write(b, calls.errFn(fmt.Sprintf("echo %p %d", s, n))) {
				s.Pause()
			}
		})
		s.OnDrain(func() { s.Resume() })
		s.OnError(func(error) {})
		s.OnClose(func(bool) { closes.Add(1) })
	})
	srv.OnClose(func() { closes.Add(1); close(srvClosed) })
	port := testkit.Listen(t, srv)

	chunk := make([]byte, chunkSize)
	warmed := make(chan struct{}, clients)
	for i := range clients {
		c := rt.NewSocket(netapi.SocketOptions{})
		var sent, got int64
		writes := 0
		var pump func()
		pump = func() {
			for sent < maxEach {
				writes++
				sent += chunkSize
				if !c.Write(chunk, calls.errFn(fmt.Sprintf("client %d write %d", i, writes))) {
					return
				}
			}
		}
		c.OnDrain(pump)
		c.OnData(func(b []byte) {
			before := got
			got += int64(len(b))
			if before < warm && got >= warm {
				warmed <- struct{}{}
			}
		})
		c.OnError(func(error) {})
		c.OnClose(func(bool) { closes.Add(1) })
		c.ConnectPort(port, "127.0.0.1", pump)
	}
	for i := range clients {
		_, ok := within(warmed, wait)
		require.True(t, ok, "only %d of %d clients got their echo flowing", i, clients)
	}

	const all = 2*clients + 1
	type result struct {
		err    error
		closes int64 // close listeners run when Shutdown returned
		server bool  // the server's close listener ran
	}
	results := make(chan result, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := shutdownWithin(rt, wait)
			server := isDone(srvClosed)
			results <- result{err, closes.Load(), server}
		}()
	}
	close(start)
	for i := range 2 {
		r, ok := within(results, wait+20*time.Second)
		require.True(t, ok, "Shutdown call %d hung", i)
		assert.NoError(t, r.err, "Shutdown")
		assert.Equal(t, int64(all), r.closes, "close listeners run when a Shutdown call returned (want every socket and the server)")
		assert.True(t, r.server, "a Shutdown call returned before the server's close listener ran")
	}
	wg.Wait()
	assert.NoError(t, waitWithin(rt, settle), "Wait after Shutdown")
	calls.check(t, "write callbacks")
	assert.Equal(t, int64(all), closes.Load(), "close listeners run in all")
	t.Logf("write callbacks by error: %v", calls.codes(""))
}
