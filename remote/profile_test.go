package remote_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/supervisor"
)

// profileNode is a node with a socket service and the given profiles, whose own client
// reaches it (so the proxies, the link and the relays all run, in one process), and an
// owner that echoes what it gets and hands every event to events.
type profileNode struct {
	sys    *actor.ActorSystem
	node   *remote.Node
	client *remote.Client
	owner  *actor.PID
	events chan any
}

func newProfileNode(t *testing.T, profiles map[string]remote.Profile) *profileNode {
	t.Helper()
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	node, err := remote.Start(sys, tree, remote.Config{Profiles: profiles})
	require.NoError(t, err)
	n := &profileNode{sys: sys, node: node, client: node.Client(node.Address()), events: make(chan any, 1024)}
	n.owner = sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data, Lease: m.Lease})
		case actor.SystemMessage, actor.AutoReceiveMessage:
			return
		case *messages.FullEvent:
			ctx.Send(m.Socket, &messages.Pause{})
		case *messages.DrainEvent:
			ctx.Send(m.Socket, &messages.Resume{})
		}
		n.events <- ctx.Message()
	}))
	t.Cleanup(func() {
		node.Stop()
		sys.Shutdown()
	})
	return n
}

// next returns the next event of type T, skipping others.
func next[T any](t *testing.T, n *profileNode) T {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-n.events:
			if v, ok := m.(T); ok {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T within 10s", zero)
			return zero
		}
	}
}

// listen spawns a remote server with the socket options given and returns its port.
func (n *profileNode) listen(t *testing.T, socket remote.SocketOptions) int {
	t.Helper()
	srv := n.client.SpawnServer(remote.ServerOptions{Owner: n.owner, Socket: socket})
	n.sys.Root.Send(srv, &messages.Listen{Port: 0, Host: "127.0.0.1"})
	return next[*messages.ListeningEvent](t, n).Addr.Port
}

// TestRemoteTLSServer: a server on a node, with the node's TLS profile, driven from an owner
// across the link: a real TLS client's 1 MiB comes back as it went, and the owner gets
// SecureConnectEvent for the accepted socket first.
func TestRemoteTLSServer(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"localhost"}})
	n := newProfileNode(t, map[string]remote.Profile{
		"public": {TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}},
	})
	port := n.listen(t, remote.SocketOptions{Profile: "public", LendReads: true})

	c, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		&tls.Config{RootCAs: pki.Pool, ServerName: "localhost"})
	require.NoError(t, err)
	defer c.Close()
	sent := make([]byte, 1<<20)
	_, _ = rand.Read(sent)
	go func() {
		_, _ = c.Write(sent)
		_ = c.CloseWrite()
	}()
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(sent, got), "echo differs: %d bytes back of %d", len(got), len(sent))

	sc := next[*messages.SecureConnectEvent](t, n)
	assert.Equal(t, "TLSv1.3", sc.Protocol)
}

// TestRemoteTLSClient: a client socket with a TLS profile checks the server as a local one
// does: with the CA, it is authorized and the owner gets the server's certificate; without
// it, the owner gets Node's code across the wire, then the close.
func TestRemoteTLSClient(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1", "localhost"}})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	n := newProfileNode(t, map[string]remote.Profile{
		"trusting":  {TLS: &tls.Config{RootCAs: pki.Pool}},
		"strangers": {TLS: &tls.Config{RootCAs: testkit.NewPKI(t).Pool}},
	})

	s := n.client.SpawnSocket(remote.SocketOptions{Owner: n.owner, Profile: "trusting"})
	n.sys.Root.Send(s, &messages.Connect{Port: port, Host: "127.0.0.1"})
	sc := next[*messages.SecureConnectEvent](t, n)
	assert.True(t, sc.Authorized)
	require.NotEmpty(t, sc.PeerCertificates)
	assert.Equal(t, leaf.TLS.Leaf.Raw, sc.PeerCertificates[0].Raw)
	n.sys.Root.Send(s, &messages.Destroy{})
	next[*messages.CloseEvent](t, n)

	s = n.client.SpawnSocket(remote.SocketOptions{Owner: n.owner, Profile: "strangers"})
	n.sys.Root.Send(s, &messages.Connect{Port: port, Host: "127.0.0.1"})
	ev := next[*messages.ErrorEvent](t, n)
	assert.Equal(t, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", netapi.Code(ev.Err))
	assert.True(t, next[*messages.CloseEvent](t, n).HadError)
}

// TestRemoteFraming: with a framing profile, the owner across the link gets one DataEvent
// per line, however the lines were cut when written.
func TestRemoteFraming(t *testing.T) {
	n := newProfileNode(t, map[string]remote.Profile{
		"lines": {Framing: &actors.Framing{Split: bufio.ScanLines}},
	})
	port := n.listen(t, remote.SocketOptions{Profile: "lines"})
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	defer c.Close()
	for _, piece := range []string{"on", "e\ntw", "o\n", "three\nfour\n"} {
		_, err := c.Write([]byte(piece)) // cut anywhere: gathering across reads is actors' (frames_test.go)
		require.NoError(t, err)
	}
	var frames []string
	for range 4 {
		frames = append(frames, string(next[*messages.DataEvent](t, n).Data))
	}
	assert.Equal(t, []string{"one", "two", "three", "four"}, frames)
}

// TestRemoteUnknownProfile: a profile the socket's node does not have fails the socket (or
// the server) with ErrUnknownProfile and its code, on the owner's side; a node will not
// start with a profile its sockets could not use.
func TestRemoteUnknownProfile(t *testing.T) {
	n := newProfileNode(t, nil)
	s := n.client.SpawnSocket(remote.SocketOptions{Owner: n.owner, Profile: "nope"})
	n.sys.Root.Send(s, &messages.Connect{Port: 1, Host: "127.0.0.1"})
	ev := next[*messages.ErrorEvent](t, n)
	assert.ErrorIs(t, ev.Err, remote.ErrUnknownProfile)
	assert.Equal(t, "ERR_ACTORNET_UNKNOWN_PROFILE", netapi.Code(ev.Err))
	assert.True(t, next[*messages.CloseEvent](t, n).HadError)

	srv := n.client.SpawnServer(remote.ServerOptions{Owner: n.owner, Socket: remote.SocketOptions{Profile: "nope"}})
	n.sys.Root.Send(srv, &messages.Listen{Port: 0, Host: "127.0.0.1"})
	se := next[*messages.ServerErrorEvent](t, n)
	assert.ErrorIs(t, se.Err, remote.ErrUnknownProfile)
	next[*messages.ServerCloseEvent](t, n)

	sys := supervisor.NewSystem(nil)
	defer sys.Shutdown()
	_, err := remote.Start(sys, supervisor.NewTree(sys, nil), remote.Config{Profiles: map[string]remote.Profile{
		"huge": {Framing: &actors.Framing{Split: bufio.ScanLines, MaxFrame: 2 * remote.MaxChunk}}}})
	require.Error(t, err)
	assert.False(t, errors.Is(err, remote.ErrUnknownProfile))
}
