package netapi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// TLSOptions are Node's tls options, for [Runtime.ConnectTLS] and [Runtime.CreateTLSServer].
// Config, when set, is the starting point (a Go program's own *tls.Config, not modified);
// the Node-shaped fields add to it. The zero value is a client that verifies the server
// against the system's roots.
type TLSOptions struct {
	Config *tls.Config
	// Cert and Key are PEM data: this side's certificate chain and its key. A server without
	// one (here or in Config) fails every handshake, as Node's does.
	Cert, Key []byte
	// CA is PEM data: the certificates to trust instead of the system's (a client's check of
	// the server; a server's check of client certificates with RequestCert).
	CA []byte
	// RejectUnauthorized, nil meaning true (Node's default): a client fails with the
	// verification error (Code gives Node's: DEPTH_ZERO_SELF_SIGNED_CERT,
	// ERR_TLS_CERT_ALTNAME_INVALID ...); false connects anyway, and Authorized and
	// AuthorizationError say why the server is not trusted. On a server with RequestCert,
	// true refuses clients without a valid certificate.
	RejectUnauthorized *bool
	// ServerName is Node's servername: the SNI a client sends (none when empty), and the
	// name it checks the server's certificate against (the host connected to, or
	// "localhost", when empty).
	ServerName string
	// ALPNProtocols are the protocols offered (client) or accepted (server) through ALPN.
	ALPNProtocols []string
	// RequestCert makes a server ask clients for a certificate.
	RequestCert bool
	// HandshakeTimeout bounds a server's handshakes (Node's handshakeTimeout): a client that
	// has not completed its handshake by then is a 'tlsClientError' coded
	// ERR_TLS_HANDSHAKE_TIMEOUT, and closed. 0 means Node's 120 s; negative means no bound.
	HandshakeTimeout time.Duration
}

// DefaultHandshakeTimeout is Node's handshakeTimeout.
const DefaultHandshakeTimeout = 120 * time.Second

// ErrBadTLSOptions: a certificate, key or CA in TLSOptions that cannot be used. It is
// reported as an 'error' event: a client's, or a server's on Listen.
var ErrBadTLSOptions = errors.New("netapi: bad TLS options")

// config builds the *tls.Config of one side.
func (o TLSOptions) config(server bool) (*tls.Config, error) {
	cfg := &tls.Config{}
	if o.Config != nil {
		cfg = o.Config.Clone()
	}
	if len(o.Cert) > 0 || len(o.Key) > 0 {
		pair, err := tls.X509KeyPair(o.Cert, o.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadTLSOptions, err)
		}
		cfg.Certificates = append(cfg.Certificates, pair)
	}
	if len(o.CA) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(o.CA) {
			return nil, fmt.Errorf("%w: no certificate in CA", ErrBadTLSOptions)
		}
		if server {
			cfg.ClientCAs = pool
		} else {
			cfg.RootCAs = pool
		}
	}
	if o.ServerName != "" {
		cfg.ServerName = o.ServerName
	}
	if len(o.ALPNProtocols) > 0 {
		cfg.NextProtos = o.ALPNProtocols
	}
	reject := o.RejectUnauthorized == nil || *o.RejectUnauthorized
	if server {
		// A server without a certificate listens, and fails every handshake (Node's too).
		if o.RequestCert {
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
			if reject {
				cfg.ClientAuth = tls.RequireAndVerifyClientCert
			}
		}
	} else if !reject {
		cfg.InsecureSkipVerify = true
	}
	return cfg, nil
}

// TLSConnectOptions are ConnectOptions and TLSOptions together (Node's tls.connect options).
type TLSConnectOptions struct {
	ConnectOptions
	TLSOptions
}

// TLSServerOptions are ServerOptions and TLSOptions together (Node's tls.createServer
// options).
type TLSServerOptions struct {
	ServerOptions
	TLSOptions
}

// ConnectTLS opens a TLS connection (Node's tls.connect): 'connect' once TCP is up, then
// 'secureConnect' once the handshake completed; onSecureConnect, if not nil, is added as a
// once 'secureConnect' listener. Writes made before wait for the handshake. A failed
// handshake or verification is an 'error' (a *TLSError with Node's code) and 'close'.
func (rt *Runtime) ConnectTLS(opts TLSConnectOptions, onSecureConnect func()) *Socket {
	s := rt.NewSocket(SocketOptions{AllowHalfOpen: opts.AllowHalfOpen, HighWaterMark: opts.HighWaterMark})
	cfg, err := opts.TLSOptions.config(false)
	if err != nil {
		s.destroyWith(err) // 'error', then 'close'
		return s
	}
	s.mu.Lock()
	s.secure = &secureState{cfg: cfg}
	if onSecureConnect != nil {
		s.ls.others().secureConnect.add(onSecureConnect, true)
	}
	s.mu.Unlock()
	return s.Connect(opts.ConnectOptions, nil)
}

// ConnectTLSPort is ConnectTLS to port on host ("" meaning "localhost") with opts (Node's
// tls.connect(port[, host][, options][, callback])).
func (rt *Runtime) ConnectTLSPort(port int, host string, opts TLSOptions, onSecureConnect func()) *Socket {
	return rt.ConnectTLS(TLSConnectOptions{ConnectOptions: ConnectOptions{Port: port, Host: host},
		TLSOptions: opts}, onSecureConnect)
}

// CreateTLSServer makes a TLS server (Node's tls.createServer): each accepted connection does
// the server's side of the handshake, then the server emits 'secureConnection' with it;
// onSecureConnection, if not nil, is added as a 'secureConnection' listener. 'connection'
// listeners see each connection before its handshake. A failed handshake is the server's
// 'tlsClientError' (with the socket, which then closes), never the socket's 'error'. Bad
// TLSOptions (ErrBadTLSOptions) are an 'error' on Listen.
func (rt *Runtime) CreateTLSServer(opts TLSServerOptions, onSecureConnection func(*Socket)) *Server {
	cfg, err := opts.TLSOptions.config(true)
	hs := opts.HandshakeTimeout
	switch {
	case hs == 0:
		hs = DefaultHandshakeTimeout
	case hs < 0:
		hs = 0
	}
	s := rt.createServer(opts.ServerOptions, nil, cfg, hs)
	s.tlsErr = err
	s.OnSecureConnection(onSecureConnection)
	return s
}

// secureState is a TLS socket's: its config, and what its handshake told.
type secureState struct {
	cfg          *tls.Config
	server       bool
	done         bool // the handshake completed
	protocol     string
	alpn         string
	authorized   bool
	authErr      error
	certificates []*x509.Certificate
}

// Encrypted tells whether the socket speaks TLS (Node's tlsSocket.encrypted).
func (s *Socket) Encrypted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secure != nil
}

// Authorized tells whether the peer's certificate was verified (Node's authorized): a
// client's server, a server's client when it asked for a certificate (RequestCert).
func (s *Socket) Authorized() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secure != nil && s.secure.authorized
}

// AuthorizationError says why the peer is not authorized, on a client that does not reject
// unauthorized servers (Node's authorizationError); Code gives its Node code.
func (s *Socket) AuthorizationError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secure == nil {
		return nil
	}
	return s.secure.authErr
}

// GetProtocol is the TLS version agreed on, "TLSv1.3" or "TLSv1.2"; "unknown" before the
// handshake completed, "" for a socket that is not TLS (Node's getProtocol()).
func (s *Socket) GetProtocol() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.secure == nil:
		return ""
	case !s.secure.done:
		return "unknown"
	}
	return s.secure.protocol
}

// ALPNProtocol is the protocol agreed on through ALPN, "" for none (Node's alpnProtocol).
func (s *Socket) ALPNProtocol() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secure == nil {
		return ""
	}
	return s.secure.alpn
}

// GetPeerCertificate is the peer's certificate, nil when it sent none or before the
// handshake (Node's getPeerCertificate(), as the parsed certificate).
func (s *Socket) GetPeerCertificate() *x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secure == nil || len(s.secure.certificates) == 0 {
		return nil
	}
	return s.secure.certificates[0]
}

// OnSecureConnect adds a 'secureConnect' listener: a TLS client's handshake completed.
func (s *Socket) OnSecureConnect(fn func()) {
	s.add(fn != nil, func() { s.ls.others().secureConnect.add(fn, false) })
}

// OnSecureConnection adds a 'secureConnection' listener: an accepted connection's handshake
// completed.
func (s *Server) OnSecureConnection(fn func(*Socket)) {
	s.add(fn != nil, func() { s.ls.secureConnection.add(fn, false) })
}

// OnTLSClientError adds a 'tlsClientError' listener: an accepted connection's handshake
// failed (err has Node's code through Code); the socket closes next.
func (s *Server) OnTLSClientError(fn func(err error, s *Socket)) {
	s.add(fn != nil, func() { s.ls.tlsClientError.add(fn, false) })
}

// onSecure handles a TLS socket's SecureConnectEvent: a client's 'secureConnect', or its
// server's 'secureConnection'.
func (s *Socket) onSecure(e *messages.SecureConnectEvent) {
	s.mu.Lock()
	sec := s.secure
	sec.done, sec.protocol, sec.alpn = true, e.Protocol, e.ALPNProtocol
	sec.authorized, sec.authErr, sec.certificates = e.Authorized, e.AuthorizationError, e.PeerCertificates
	srv := s.srv
	var fns []func()
	if m := s.ls.more; m != nil && !sec.server {
		fns = m.secureConnect.take()
	}
	s.mu.Unlock()
	if sec.server && srv != nil {
		srv.mu.Lock()
		conns := srv.ls.secureConnection.take()
		srv.mu.Unlock()
		for _, fn := range conns {
			fn(s)
		}
		return
	}
	run(fns)
}

// handshakeFailed routes the error of an accepted socket whose handshake failed to its
// server's 'tlsClientError' listeners; it reports false for any other error.
func (s *Socket) handshakeFailed(err error) bool {
	s.mu.Lock()
	sec, srv, remote := s.secure, s.srv, s.remote
	s.mu.Unlock()
	if sec == nil || !sec.server || sec.done || srv == nil {
		return false
	}
	srv.mu.Lock()
	fns := srv.ls.tlsClientError.take()
	srv.mu.Unlock()
	if len(fns) == 0 {
		// As net/http logs "TLS handshake error": nothing fails silently.
		s.rt.unheard("TLS handshake error", err, "remote", remote.String())
	}
	for _, fn := range fns {
		fn(err, s)
	}
	return true
}

// TLSError is a failed TLS handshake or certificate check; Code gives its Node code.
type TLSError = actors.TLSError
