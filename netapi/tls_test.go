package netapi_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// tlsServer makes a TLS server on 127.0.0.1 with a certificate from pki for 127.0.0.1 and
// localhost, and returns it with its port.
func tlsServer(t *testing.T, rt *netapi.Runtime, pki *testkit.PKI, opts netapi.TLSServerOptions,
	onSecure func(*netapi.Socket)) (*netapi.Server, int) {
	t.Helper()
	if opts.Cert == nil && opts.Config == nil {
		leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1", "localhost"}})
		opts.Cert, opts.Key = leaf.CertPEM, leaf.KeyPEM
	}
	srv := rt.CreateTLSServer(opts, onSecure)
	return srv, listen(t, srv)
}

func tlsClient(rt *netapi.Runtime, pki *testkit.PKI, port int, tlsOpts netapi.TLSOptions) *netapi.Socket {
	if tlsOpts.CA == nil {
		tlsOpts.CA = pki.CAPEM
	}
	return rt.ConnectTLS(netapi.TLSConnectOptions{
		ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}, TLSOptions: tlsOpts}, nil)
}

// The events of a TLS connection come in Node's order on both sides, and the socket tells
// what its handshake agreed on.
func TestTLSEventsAndState(t *testing.T) {
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	log := testkit.NewLog()
	srv, port := tlsServer(t, rt, pki, netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{
		ALPNProtocols: []string{"h2", "echo/1"}}}, func(s *netapi.Socket) {
		log.Add("server secureConnection " + s.GetProtocol() + " " + s.ALPNProtocol())
		s.OnData(func(b []byte) { s.Write(b, nil) })
	})
	srv.OnConnection(func(s *netapi.Socket) {
		log.Add("server connection " + s.GetProtocol() + " encrypted=" + strconv.FormatBool(s.Encrypted()))
	})
	// From a callback, as in Node: nothing reaches the listeners added after ConnectTLS
	// before the callback returns (outside a loop the connect could come first).
	rt.AfterFunc(0, func() {
		c := tlsClient(rt, pki, port, netapi.TLSOptions{ALPNProtocols: []string{"echo/1"}})
		assert.True(t, c.Encrypted())
		assert.Equal(t, "unknown", c.GetProtocol(), "before the handshake")
		c.OnConnect(func() { log.Add("client connect") })
		c.OnSecureConnect(func() {
			log.Add("client secureConnect " + c.GetProtocol() + " " + c.ALPNProtocol() +
				" authorized=" + strconv.FormatBool(c.Authorized()) + " cert=" + strconv.FormatBool(c.GetPeerCertificate() != nil))
			c.End([]byte("hello"), nil)
		})
		c.OnData(func(b []byte) { log.Add("client data " + string(b)) })
		c.OnClose(func(bool) { log.Add("client close"); srv.Close(nil) })
	})
	log.WaitFor(t, "client close")
	// Each side's events in order (the two sides run on loops of their own).
	client, server := split(log.All(), "client")
	assert.Equal(t, []string{"client connect", "client secureConnect TLSv1.3 echo/1 authorized=true cert=true",
		"client data hello", "client close"}, client)
	assert.Equal(t, []string{"server connection unknown encrypted=true", "server secureConnection TLSv1.3 echo/1"}, server)

	plain := rt.NewSocket(netapi.SocketOptions{})
	assert.False(t, plain.Encrypted())
	assert.Equal(t, "", plain.GetProtocol())
	assert.False(t, plain.Authorized())
	plain.Destroy()
}

// split parts lines into those that start with prefix and the others, each in order.
func split(lines []string, prefix string) (with, without []string) {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			with = append(with, l)
		} else {
			without = append(without, l)
		}
	}
	return with, without
}

// A client that does not reject unauthorized servers connects to a self-signed one and is
// told why it is not authorized.
func TestTLSRejectUnauthorizedFalse(t *testing.T) {
	rt := newRuntime(t)
	self := testkit.SelfSigned(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	srv, port := tlsServer(t, rt, nil, netapi.TLSServerOptions{
		TLSOptions: netapi.TLSOptions{Cert: self.CertPEM, Key: self.KeyPEM}}, nil)
	reject := false
	c := rt.ConnectTLS(netapi.TLSConnectOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"},
		TLSOptions: netapi.TLSOptions{RejectUnauthorized: &reject}}, nil)
	done := make(chan struct{})
	c.OnSecureConnect(func() {
		assert.False(t, c.Authorized())
		assert.Equal(t, "DEPTH_ZERO_SELF_SIGNED_CERT", netapi.Code(c.AuthorizationError()))
		close(done)
		c.Destroy()
	})
	recv(t, done)
	srv.Close(nil)
}

// A plain TCP client on a TLS port is the server's 'tlsClientError' (with Node's code), never
// a 'secureConnection'; with no listener, the server's logger hears of it, as net/http logs
// TLS handshake errors.
func TestTLSClientError(t *testing.T) {
	for _, listening := range []bool{true, false} {
		t.Run("listener="+strconv.FormatBool(listening), func(t *testing.T) {
			var logged bytes.Buffer
			var mu sync.Mutex
			rt := newRuntime(t, netapi.WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{&logged, &mu}, nil))))
			pki := testkit.NewPKI(t)
			srv, port := tlsServer(t, rt, pki, netapi.TLSServerOptions{}, func(*netapi.Socket) {
				t.Error("secureConnection for a client that never did TLS")
			})
			errs := make(chan error, 1)
			closed := make(chan bool, 1)
			if listening {
				srv.OnTLSClientError(func(err error, s *netapi.Socket) {
					s.OnClose(func(hadError bool) { closed <- hadError })
					errs <- err
				})
			}
			c := testkit.Dial(t, port)
			_, err := c.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
			require.NoError(t, err)
			_, err = io.ReadAll(c) // the server closes it
			if !listening {
				assert.Eventually(t, func() bool {
					mu.Lock()
					defer mu.Unlock()
					return bytes.Contains(logged.Bytes(), []byte("ERR_SSL_WRONG_VERSION_NUMBER"))
				}, wait, 10*time.Millisecond, "logged")
				return
			}
			require.NoError(t, err)
			err = recv(t, errs)
			assert.Equal(t, "ERR_SSL_WRONG_VERSION_NUMBER", netapi.Code(err))
			var te *netapi.TLSError
			assert.ErrorAs(t, err, &te)
			assert.True(t, recv(t, closed))
			srv.Close(nil)
		})
	}
}

// A client that connects and never completes its handshake is the server's 'tlsClientError'
// ERR_TLS_HANDSHAKE_TIMEOUT once HandshakeTimeout has passed (Node's handshakeTimeout).
func TestTLSHandshakeTimeout(t *testing.T) {
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	srv, port := tlsServer(t, rt, pki, netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{
		HandshakeTimeout: 50 * time.Millisecond}}, nil)
	errs := make(chan error, 1)
	srv.OnTLSClientError(func(err error, _ *netapi.Socket) { errs <- err })
	c := testkit.Dial(t, port)
	assert.Equal(t, "ERR_TLS_HANDSHAKE_TIMEOUT", netapi.Code(recv(t, errs)))
	rest, _ := io.ReadAll(c) // and the server closed it
	assert.Empty(t, rest)
	srv.Close(nil)
}

// TLS options that cannot be used are an 'error' (ErrBadTLSOptions), never a panic: a server
// with a certificate that is not one, on Listen; a client with a CA that holds none.
func TestTLSBadOptions(t *testing.T) {
	rt := newRuntime(t)
	srv := rt.CreateTLSServer(netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{
		Cert: []byte("not a certificate"), Key: []byte("nor a key")}}, nil)
	errs := make(chan error, 2)
	srv.OnError(func(err error) { errs <- err })
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { t.Error("listening without a certificate") })
	err := recv(t, errs)
	assert.ErrorIs(t, err, netapi.ErrBadTLSOptions)
	assert.Equal(t, "ERR_ACTORNET_BAD_TLS_OPTIONS", netapi.Code(err))

	// From a callback, as in Node: the listeners added right after ConnectTLS hear its error.
	closed := make(chan bool, 1)
	for _, opts := range []netapi.TLSOptions{{CA: []byte("not a certificate")}, {Cert: []byte("x"), Key: []byte("y")}} {
		rt.AfterFunc(0, func() {
			c := rt.ConnectTLS(netapi.TLSConnectOptions{ConnectOptions: netapi.ConnectOptions{Port: 1, Host: "127.0.0.1"},
				TLSOptions: opts}, nil)
			c.OnError(func(err error) { errs <- err })
			c.OnClose(func(hadError bool) { closed <- hadError })
		})
		assert.ErrorIs(t, recv(t, errs), netapi.ErrBadTLSOptions)
		assert.True(t, recv(t, closed))
	}
}

// A server that asks for client certificates authorizes a client that sends one its CA
// signed, and refuses one that sends none (the server's 'tlsClientError', the client's
// 'error').
func TestTLSClientCertificates(t *testing.T) {
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	authorized := make(chan bool, 1)
	refused := make(chan error, 1)
	srv, port := tlsServer(t, rt, pki, netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{
		RequestCert: true, CA: pki.CAPEM}}, func(s *netapi.Socket) {
		authorized <- s.Authorized()
		s.End(nil, nil)
	})
	srv.OnTLSClientError(func(err error, _ *netapi.Socket) { refused <- err })

	mine := pki.Leaf(t, testkit.CertOptions{CN: "client"})
	c := tlsClient(rt, pki, port, netapi.TLSOptions{Cert: mine.CertPEM, Key: mine.KeyPEM})
	c.OnData(func([]byte) {})
	assert.True(t, recv(t, authorized))

	clientErr := make(chan error, 1)
	rt.AfterFunc(0, func() { // its error cannot come before its listener (see TestTLSEventsAndState)
		anonymous := tlsClient(rt, pki, port, netapi.TLSOptions{})
		anonymous.OnError(func(err error) { clientErr <- err })
	})
	assert.Error(t, recv(t, refused))
	assert.Equal(t, "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", netapi.Code(recv(t, clientErr)))
	srv.Close(nil)
}

// A TLS-terminating proxy in three lines: the TLS side piped to a plain backend both ways,
// with backpressure (the backend reads slowly) and half-close carried over; 8 MiB arrive
// whole.
func TestTLSProxyWithBackpressure(t *testing.T) {
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	backend, backendPort := testkit.Listener(t)
	srv, port := tlsServer(t, rt, pki, netapi.TLSServerOptions{ServerOptions: netapi.ServerOptions{AllowHalfOpen: true}},
		func(s *netapi.Socket) {
			up := rt.Connect(netapi.ConnectOptions{Port: backendPort, Host: "127.0.0.1", AllowHalfOpen: true}, nil)
			netapi.Pipe(s, up)
			netapi.Pipe(up, s)
		})
	payload := testkit.Pattern(8 << 20)
	got := make(chan [32]byte, 1)
	go func() {
		c, err := backend.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		h := sha256.New()
		buf := make([]byte, 32<<10)
		for { // slowly: the proxy must pause its TLS side
			time.Sleep(time.Millisecond)
			n, err := c.Read(buf)
			h.Write(buf[:n])
			if err != nil {
				break
			}
		}
		_, _ = c.Write([]byte("got it"))
		_ = c.(*net.TCPConn).CloseWrite()
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		got <- sum
	}()
	conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), &tls.Config{RootCAs: pki.Pool})
	require.NoError(t, err)
	defer conn.Close()
	go func() { _, _ = conn.Write(payload); _ = conn.CloseWrite() }()
	reply, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, io.EOF) {
		require.NoError(t, err)
	}
	assert.Equal(t, sha256.Sum256(payload), recv(t, got))
	assert.Equal(t, "got it", string(reply))
	srv.Close(nil)
}
