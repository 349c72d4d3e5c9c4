package reliability

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

// The peer resets the connection mid-stream (SO_LINGER 0) while we read: 'error' ECONNRESET,
// then close(true). (Caught while writing instead, the reset shows as EPIPE, as in Node.)
func TestPeerResetMidStream(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	ev := newEvents()
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	c.OnData(func(b []byte) { ev.Add("data") })
	c.OnError(func(err error) {
		assert.ErrorIs(t, err, syscall.ECONNRESET)
		ev.Add("error " + netapi.Code(err))
	})
	c.OnClose(func(h bool) { ev.Add(fmt.Sprint("close ", h)) })
	peer, err := ln.AcceptTCP()
	require.NoError(t, err)
	_, _ = peer.Write([]byte("some data first"))
	ev.WaitFor(t, "data")
	require.NoError(t, peer.SetLinger(0))
	require.NoError(t, peer.Close())
	all := ev.WaitFor(t, "close true")
	assert.Equal(t, []string{"error ECONNRESET", "close true"}, all[len(all)-2:])
}

// The peer stops reading while we write 100 MiB: Write says false, our memory stays bounded by
// what was queued (the socket copies nothing), and 'drain' comes once the peer reads again.
func TestSlowReaderBoundedMemoryAndDrain(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	const total = 100 << 20
	data := make([]byte, total)
	drained := make(chan struct{}, 1)
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	c.OnDrain(func() { drained <- struct{}{} })
	peer, err := ln.AcceptTCP()
	require.NoError(t, err)
	defer peer.Close()

	before := heapInUse()
	assert.False(t, c.Write(data, nil))
	// The kernel's buffers fill; the rest waits in the queue, the caller's own slice.
	require.Eventually(t, func() bool { return c.BufferSize() > 0 }, wait, time.Millisecond)
	time.Sleep(200 * time.Millisecond) // time is the subject: let anything that would copy, copy
	grown := heapInUse() - before
	assert.Less(t, grown, int64(8<<20), "the socket holds %d more bytes than before the write", grown)
	select {
	case <-drained:
		t.Fatal("drain while the peer does not read")
	default:
	}
	got, err := io.CopyN(io.Discard, peer, total)
	require.NoError(t, err)
	assert.Equal(t, int64(total), got)
	recv(t, drained)
	assert.Zero(t, c.BufferSize())
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}

// A panic in the callbacks of 1,000 connections: each of those closes, with an 'error'
// carrying a *supervisor.PanicError; the server and the other connections go on.
func TestPanicsInManyConnections(t *testing.T) {
	rt := newRuntime(t)
	var mu sync.Mutex
	panics := 0
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnError(func(err error) {
			var pe *supervisor.PanicError
			if errors.As(err, &pe) {
				mu.Lock()
				panics++
				mu.Unlock()
			}
		})
		s.OnData(func(b []byte) {
			if string(b) == "boom" {
				panic("callback failed")
			}
			s.Write(b, nil)
		})
	})
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) })
	recv(t, ready)
	port := srv.Address().Port

	good := make([]*net.TCPConn, 10)
	for i := range good {
		good[i] = dial(t, port)
	}
	const bad = 1000
	var wg sync.WaitGroup
	errs := make(chan error, bad)
	for range bad {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(port)))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(wait))
			if _, err := c.Write([]byte("boom")); err != nil {
				errs <- err
				return
			}
			if n, err := io.Copy(io.Discard, c); err != nil || n != 0 {
				errs <- fmt.Errorf("a panicking connection was not closed: %d bytes, %v", n, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return panics == bad }, wait, 10*time.Millisecond)
	for i, c := range good {
		_, _ = c.Write([]byte("fine"))
		buf := make([]byte, 4)
		_ = c.SetReadDeadline(time.Now().Add(wait))
		_, err := io.ReadFull(c, buf)
		require.NoError(t, err, "connection %d", i)
		assert.Equal(t, "fine", string(buf))
	}
	assert.True(t, srv.Listening())
}
