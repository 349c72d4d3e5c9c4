package actors_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// A reader the poller woke holds one of its maxWaking (64) slots until it parks again or
// ends; one whose socket does not grant it its next read (a lent buffer not released yet, a
// pause, a consumer awaited) waits for credit still holding it. 64 such sockets, each with a
// perfectly legitimate owner that keeps its lent data for a while, then stop every other idle
// socket of the process from ever being woken.
func TestWokenReadersWaitingForCreditDoNotStallOthers(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	holder := e.probe() // keeps each lent buffer: releases nothing until the end
	const n = 64
	var leases []*messages.Lease
	for range n {
		e.client(holder, actors.SocketConfig{LendReads: true}, port)
		peer := acceptOne(t, ln)
		defer peer.Close()
		expect[*messages.ConnectEvent](holder)
		_, err := peer.Write([]byte("held"))
		require.NoError(t, err)
		leases = append(leases, expect[*messages.DataEvent](holder).Lease)
	}
	defer func() {
		for _, l := range leases {
			l.Release()
		}
	}()
	// Another socket, of another owner, idle until its peer talks.
	p := e.probe()
	e.client(p, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	defer peer.Close()
	expect[*messages.ConnectEvent](p)
	_, err := peer.Write([]byte("hello"))
	require.NoError(t, err)
	select {
	case ev := <-p.events:
		d, ok := ev.(*messages.DataEvent)
		require.True(t, ok, "got %T", ev)
		require.Equal(t, "hello", string(d.Data))
	case <-time.After(5 * time.Second):
		t.Fatal("an idle socket's data was never delivered: its reader waits behind 64 readers that wait for credit")
	}
}
