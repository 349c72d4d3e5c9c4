package actors_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
)

// recordingConn remembers the type of every TLS record it reads, so that a test can tell a
// close_notify alert (record type 21 in TLS 1.2) from a bare FIN.
type recordingConn struct {
	net.Conn
	mu      sync.Mutex
	buf     []byte
	records []byte
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, b[:n]...)
	for len(c.buf) >= 5 {
		size := 5 + int(c.buf[3])<<8 + int(c.buf[4])
		if len(c.buf) < size {
			break
		}
		c.records = append(c.records, c.buf[0])
		c.buf = c.buf[size:]
	}
	return n, err
}

func (c *recordingConn) lastRecord() byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.records) == 0 {
		return 0
	}
	return c.records[len(c.records)-1]
}

const recordAlert, recordData = 21, 23

// tlsPeer is a crypto/tls server on loopback: it accepts one connection, records its
// records, and hands it to the test.
func tlsPeer(t *testing.T, cfg *tls.Config) (port int, accepted <-chan *tls.Conn, raw <-chan *recordingConn) {
	t.Helper()
	ln, port := rawListener(t)
	conns, raws := make(chan *tls.Conn, 1), make(chan *recordingConn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		rc := &recordingConn{Conn: c}
		t.Cleanup(func() { _ = c.Close() })
		raws <- rc
		conns <- tls.Server(rc, cfg)
	}()
	return port, conns, raws
}

func recvConn[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	return testkit.Recv(t, ch)
}

// A client socket talks TLS to crypto/tls: the handshake, then data both ways (1 MiB each,
// through the socket's write queue and reader), End as close_notify then FIN, and the peer's
// close_notify as EndEvent. TLS 1.2 and 1.3.
func TestTLSClientEchoAndHalfClose(t *testing.T) {
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[version], func(t *testing.T) {
			pki := testkit.NewPKI(t)
			leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
			port, conns, raws := tlsPeer(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLS},
				MinVersion: version, MaxVersion: version})
			e := newEnv(t)
			p := e.probe()
			c := e.client(p, actors.SocketConfig{TLS: &tls.Config{RootCAs: pki.Pool}, AllowHalfOpen: true}, port)
			payload := testkit.Pattern(1 << 20)
			e.send(c, &messages.Write{Data: payload[:1000]}) // before the handshake: waits for it
			e.send(c, &messages.Write{Data: payload[1000:]})
			e.send(c, &messages.End{})

			peer, rec := recvConn(t, conns), recvConn(t, raws)
			got := make(chan []byte, 1)
			go func() { b, _ := io.ReadAll(peer); got <- b }()
			// 1 MiB queued: Write said false, as Node's does (before or after the connect).
			if _, full := p.next().(*messages.FullEvent); full {
				expect[*messages.ConnectEvent](p)
			} else {
				expect[*messages.FullEvent](p)
			}
			sec := expect[*messages.SecureConnectEvent](p)
			assert.True(t, sec.Authorized)
			assert.NoError(t, sec.AuthorizationError)
			assert.Equal(t, map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[version], sec.Protocol)
			require.Len(t, sec.PeerCertificates, 1)

			assert.Equal(t, sha256.Sum256(payload), sha256.Sum256(testkit.Recv(t, got)))
			expect[*messages.FinishEvent](p) // no DrainEvent: the queue emptied after End
			if version == tls.VersionTLS12 { // alerts are visible records only before TLS 1.3
				assert.Equal(t, byte(recordAlert), rec.lastRecord(), "End sends close_notify before the FIN: %v", rec.records)
			}

			// Still readable after our end: the peer writes, then closes its side.
			go func() {
				_, _ = peer.Write(payload)
				_ = peer.CloseWrite()
			}()
			var back []byte
			for {
				ev := p.next()
				if d, ok := ev.(*messages.DataEvent); ok {
					back = append(back, d.Data...)
					continue
				}
				require.IsType(t, &messages.EndEvent{}, ev)
				break
			}
			assert.Equal(t, sha256.Sum256(payload), sha256.Sum256(back))
			assert.False(t, expect[*messages.CloseEvent](p).HadError)
		})
	}
}

// Destroy closes a TLS socket without close_notify, as Node's destroy() does.
func TestTLSDestroySendsNoCloseNotify(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	port, conns, raws := tlsPeer(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLS},
		MaxVersion: tls.VersionTLS12})
	e := newEnv(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{TLS: &tls.Config{RootCAs: pki.Pool}}, port)
	peer, rec := recvConn(t, conns), recvConn(t, raws)
	go func() { _ = peer.Handshake() }()
	expect[*messages.ConnectEvent](p)
	expect[*messages.SecureConnectEvent](p)
	e.send(c, &messages.Write{Data: []byte("last words")})
	e.send(c, &messages.Destroy{})
	assert.False(t, expect[*messages.CloseEvent](p).HadError)
	b, _ := io.ReadAll(peer)
	assert.Equal(t, "last words", string(b))
	assert.Equal(t, byte(recordData), rec.lastRecord(), "no close_notify after the data")
}

// An accepted socket of a TLS server does the server's side: crypto/tls's client verifies
// it, and an echo written by the owner comes back.
func TestTLSServerAcceptsAndEchoes(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"localhost", "127.0.0.1"}})
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{Socket: actors.SocketConfig{AllowHalfOpen: true,
		TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}, NextProtos: []string{"echo/1"}}}})

	done := make(chan error, 1)
	payload := testkit.Pattern(256 << 10)
	go func() {
		c, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			&tls.Config{RootCAs: pki.Pool, ServerName: "localhost", NextProtos: []string{"echo/1"}})
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		go func() { _, _ = c.Write(payload); _ = c.CloseWrite() }()
		b, err := io.ReadAll(c)
		if err == nil && !bytes.Equal(b, payload) {
			err = fmt.Errorf("got %d bytes back (sha256 %x), want %d (%x)", len(b), sha256.Sum256(b), len(payload), sha256.Sum256(payload))
		}
		done <- err
	}()
	conn := expect[*messages.ConnectionEvent](p)
	sec := expect[*messages.SecureConnectEvent](p)
	assert.Equal(t, conn.Socket, sec.Socket)
	assert.Equal(t, "echo/1", sec.ALPNProtocol)
	assert.False(t, sec.Authorized, "no client certificate was asked for")
	for {
		ev := p.next()
		if d, ok := ev.(*messages.DataEvent); ok {
			e.send(d.Socket, &messages.Write{Data: d.Data})
			continue
		}
		require.IsType(t, &messages.EndEvent{}, ev)
		e.send(conn.Socket, &messages.End{}) // after the echoes: the test's own order
		break
	}
	require.NoError(t, testkit.Recv(t, done))
	expect[*messages.FinishEvent](p)
	assert.False(t, expect[*messages.CloseEvent](p).HadError)
}

// A client that checks the server's certificate fails with Node's code for what is wrong,
// and never sends data; one that does not reject unauthorized servers connects and is told
// why the server is not authorized.
func TestTLSVerificationErrors(t *testing.T) {
	pki, other := testkit.NewPKI(t), testkit.NewPKI(t)
	for _, tc := range []struct {
		name string
		cert testkit.Cert
		host string // what the client connects to (the socket's Connect host)
		code string
	}{
		{"self-signed", testkit.SelfSigned(t, testkit.CertOptions{Names: []string{"127.0.0.1"}}), "127.0.0.1", "DEPTH_ZERO_SELF_SIGNED_CERT"},
		{"unknown CA", other.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}}), "127.0.0.1", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"},
		{"expired", pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"},
			NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}), "127.0.0.1", "CERT_HAS_EXPIRED"},
		{"wrong IP", pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.2", "example.com"}}), "127.0.0.1", "ERR_TLS_CERT_ALTNAME_INVALID"},
		{"wrong name", pki.Leaf(t, testkit.CertOptions{Names: []string{"example.com"}}), "localhost", "ERR_TLS_CERT_ALTNAME_INVALID"},
		{"CN only, wrong", pki.Leaf(t, testkit.CertOptions{CN: "example.com"}), "localhost", "ERR_TLS_CERT_ALTNAME_INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, reject := range []bool{true, false} {
				port, conns, _ := tlsPeer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert.TLS}})
				e := newEnv(t)
				p := e.probe()
				c := e.socket(p, actors.SocketConfig{TLS: &tls.Config{RootCAs: pki.Pool, InsecureSkipVerify: !reject}})
				e.send(c, &messages.Connect{Port: port, Host: tc.host})
				e.send(c, &messages.Write{Data: []byte("secret")})
				peer := recvConn(t, conns)
				got := make(chan []byte, 1)
				go func() { b, _ := io.ReadAll(peer); got <- b }()
				skipTo[*messages.ConnectEvent](p)
				if reject {
					err := expect[*messages.ErrorEvent](p).Err
					var te *actors.TLSError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, tc.code, te.Code, "%v", err)
					assert.True(t, expect[*messages.CloseEvent](p).HadError)
					assert.Empty(t, testkit.Recv(t, got), "nothing is sent to a server that failed the check")
					continue
				}
				sec := expect[*messages.SecureConnectEvent](p)
				assert.False(t, sec.Authorized)
				var te *actors.TLSError
				require.ErrorAs(t, sec.AuthorizationError, &te)
				assert.Equal(t, tc.code, te.Code)
				e.send(c, &messages.End{})
				assert.Equal(t, "secret", string(testkit.Recv(t, got)))
			}
		})
	}
}

// The names a certificate is good for, as Node's checkServerIdentity sees them.
func TestTLSServerNames(t *testing.T) {
	pki := testkit.NewPKI(t)
	for _, tc := range []struct {
		names      []string
		cn, host   string
		serverName string
		ok         bool
	}{
		{names: []string{"*.example.com"}, host: "localhost", serverName: "a.example.com", ok: true},
		{names: []string{"*.example.com"}, host: "localhost", serverName: "a.b.example.com"},
		{names: []string{"*.example.com"}, host: "localhost", serverName: "example.com"},
		{names: []string{"Example.COM"}, host: "localhost", serverName: "example.com.", ok: true},
		{cn: "localhost", host: "localhost", ok: true},                                       // CN when there is no DNS SAN
		{names: []string{"example.com"}, cn: "localhost", host: "localhost"},                 // not when there is one
		{names: []string{"localhost"}, host: "127.0.0.1", serverName: "localhost", ok: true}, // servername wins over host
	} {
		leaf := pki.Leaf(t, testkit.CertOptions{Names: tc.names, CN: tc.cn})
		port, conns, _ := tlsPeer(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
		e := newEnv(t)
		p := e.probe()
		c := e.socket(p, actors.SocketConfig{TLS: &tls.Config{RootCAs: pki.Pool, ServerName: tc.serverName}})
		e.send(c, &messages.Connect{Port: port, Host: tc.host})
		peer := recvConn(t, conns)
		go func() { _ = peer.Handshake() }()
		skipTo[*messages.ConnectEvent](p)
		ev := p.next()
		if tc.ok {
			assert.IsType(t, &messages.SecureConnectEvent{}, ev, "%+v", tc)
		} else {
			require.IsType(t, &messages.ErrorEvent{}, ev, "%+v", tc)
			var te *actors.TLSError
			require.ErrorAs(t, ev.(*messages.ErrorEvent).Err, &te)
			assert.Equal(t, "ERR_TLS_CERT_ALTNAME_INVALID", te.Code)
		}
		e.send(c, &messages.Destroy{})
		skipTo[*messages.CloseEvent](p)
	}
}

// A plain TCP client on a TLS port fails the accepted socket's handshake with Node's code:
// ErrorEvent and CloseEvent, never SecureConnectEvent or data.
func TestTLSPlainClientOnTLSPort(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{Socket: actors.SocketConfig{
		TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}}})
	c := testkit.Dial(t, port)
	_, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	expect[*messages.ConnectionEvent](p)
	var te *actors.TLSError
	require.ErrorAs(t, expect[*messages.ErrorEvent](p).Err, &te)
	assert.Equal(t, "ERR_SSL_WRONG_VERSION_NUMBER", te.Code)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
}

// HandshakeTimeout fails a handshake that does not complete in time (Node's
// handshakeTimeout): ErrorEvent with ERR_TLS_HANDSHAKE_TIMEOUT, then the close.
func TestTLSHandshakeTimeoutOption(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{Socket: actors.SocketConfig{HandshakeTimeout: 50 * time.Millisecond,
		TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}}})
	_ = testkit.Dial(t, port) // connects, never says hello
	expect[*messages.ConnectionEvent](p)
	err := expect[*messages.ErrorEvent](p).Err
	var te *actors.TLSError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "ERR_TLS_HANDSHAKE_TIMEOUT", te.Code)
	assert.ErrorIs(t, err, actors.ErrHandshakeTimeout)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
}

// A handshake that never completes (the peer connects and sends nothing) is found by the
// idle timer, and Destroy ends it.
func TestTLSHandshakeTimeout(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{Socket: actors.SocketConfig{
		TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}}})
	_ = testkit.Dial(t, port)
	sock := expect[*messages.ConnectionEvent](p).Socket
	e.send(sock, &messages.SetTimeout{Timeout: 50 * time.Millisecond})
	expect[*messages.TimeoutEvent](p)
	e.send(sock, &messages.Destroy{})
	assert.False(t, expect[*messages.CloseEvent](p).HadError)
}

// SNI is sent only when ServerName is set (Node's servername), never the host connected to.
func TestTLSSendsSNIOnlyWhenAsked(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"localhost", "sni.example"}})
	for _, serverName := range []string{"", "sni.example"} {
		sent := make(chan string, 1)
		port, conns, _ := tlsPeer(t, &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			sent <- hello.ServerName
			return &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}, nil
		}})
		e := newEnv(t)
		p := e.probe()
		c := e.socket(p, actors.SocketConfig{TLS: &tls.Config{RootCAs: pki.Pool, ServerName: serverName}})
		e.send(c, &messages.Connect{Port: port, Host: "localhost"})
		peer := recvConn(t, conns)
		go func() { _ = peer.Handshake() }()
		assert.Equal(t, serverName, testkit.Recv(t, sent), "SNI with ServerName %q", serverName)
		skipTo[*messages.SecureConnectEvent](p)
		e.send(c, &messages.Destroy{})
		skipTo[*messages.CloseEvent](p)
	}
}

// A TLS socket idle for longer than a reader lingers wakes from the poller with a read that
// must not wait (a try read): the record that woke it is read then, and a later one too.
func TestTLSReadsAfterALongIdle(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{Socket: actors.SocketConfig{
		TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}}})
	c, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		&tls.Config{RootCAs: pki.Pool, ServerName: "127.0.0.1"})
	require.NoError(t, err)
	defer c.Close()
	expect[*messages.ConnectionEvent](p)
	expect[*messages.SecureConnectEvent](p)
	for _, msg := range []string{"after a long idle", "and soon after"} {
		if msg == "after a long idle" {
			time.Sleep(actors.MaxLinger + 200*time.Millisecond) // idle past the longest linger: the subject
		}
		_, err := c.Write([]byte(msg))
		require.NoError(t, err)
		assert.Equal(t, msg, string(expect[*messages.DataEvent](p).Data))
	}
}

// An accepted socket's events come after its ConnectionEvent, even when its handshake fails
// at once: a plain TCP client's bytes were there before the server announced the socket.
// The server's Handler holds the ConnectionEvent for a while; the socket's ErrorEvent and
// CloseEvent, which go to the server's owner, must not come meanwhile.
func TestTLSFailedHandshakeComesAfterConnection(t *testing.T) {
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	e := newEnv(t)
	p := e.probe()
	early := make(chan any, 1)
	cfg := actors.ServerConfig{Owner: p.pid, Socket: actors.SocketConfig{
		TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}}}
	listening := make(chan int, 1)
	cfg.Handler = func(ev any) {
		switch m := ev.(type) {
		case *messages.ListeningEvent:
			listening <- m.Addr.Port
		case *messages.ConnectionEvent:
			select { // the handshake would have failed many times over by then
			case ev := <-p.events:
				early <- ev
			case <-time.After(300 * time.Millisecond):
			}
		}
	}
	spid, err := actors.SpawnServer(e.tree, cfg)
	require.NoError(t, err)
	e.send(spid, &messages.Listen{Host: "127.0.0.1"})
	port := <-listening
	c := testkit.Dial(t, port)
	_, err = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	var te *actors.TLSError
	require.ErrorAs(t, expect[*messages.ErrorEvent](p).Err, &te)
	assert.Equal(t, "ERR_SSL_WRONG_VERSION_NUMBER", te.Code)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
	select {
	case ev := <-early:
		t.Fatalf("%T before the ConnectionEvent was handled", ev)
	default:
	}
}
