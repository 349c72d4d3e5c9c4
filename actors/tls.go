package actors

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// A TLS socket (SocketConfig.TLS) runs on the same machinery as a plain one: crypto/tls sits
// between the socket's descriptor and its two halves, and nothing else changes. The
// handshake runs on a goroutine of its own once the connection is up; until it completes,
// writes wait in the outbox and nothing is read. Then:
//
//   - Writing: the outbox seals each write into TLS records as it accepts it (tlsSide.seal),
//     so its queue holds ciphertext, which goes to the kernel exactly as plaintext does (the
//     try-write, gathering per turn, writev, the flusher). The high-water mark counts
//     ciphertext bytes. End sends close_notify after the queue, then the FIN; Destroy sends
//     neither.
//   - Reading: the socket's reader reads through the tls.Conn: decrypted data flows, pauses
//     and is credited as plain data does, and an idle reader parks its descriptor as a plain
//     one does (a record half read stays in crypto/tls until the rest arrives).
//
// crypto/tls writes through tlsTransport: straight to the connection during the handshake,
// and into a buffer afterwards, from which seal takes the records it made. A record crypto/tls
// writes by itself after the handshake (a TLS 1.3 key update) waits there and goes out, in
// order, with the next write or close_notify.
type tlsSide struct {
	conn      *tls.Conn
	transport *tlsTransport
	server    bool
	noCert    bool        // a server without a certificate: every handshake fails
	host      string      // what a client checks the server's certificate against
	ready     bool        // the handshake completed: the outbox seals and the reader reads
	timer     *time.Timer // SocketConfig.HandshakeTimeout's
	authErr   error       // why the peer is not authorized; nil when it is
	authed    bool        // a peer certificate was verified
}

// tlsTransport is the net.Conn under a socket's tls.Conn: reads and deadlines are the TCP
// connection's; writes go to it until capture is set, and to out after.
type tlsTransport struct {
	*net.TCPConn
	mu      sync.Mutex
	capture bool
	out     []byte
}

func (t *tlsTransport) Write(b []byte) (int, error) {
	t.mu.Lock()
	if t.capture {
		t.out = append(t.out, b...)
		t.mu.Unlock()
		return len(b), nil
	}
	t.mu.Unlock()
	return t.TCPConn.Write(b)
}

// SetDeadline and SetWriteDeadline do nothing: crypto/tls sets a write deadline around the
// close_notify it sends, which would otherwise stop the socket's own writes; the socket's
// reader sets read deadlines on the TCP connection itself.
func (t *tlsTransport) SetDeadline(time.Time) error { return nil }

func (t *tlsTransport) SetWriteDeadline(time.Time) error { return nil }

// take returns the records written since the last take.
func (t *tlsTransport) take() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.out
	t.out = nil
	return b
}

// seal encrypts data into records and returns them, after any record crypto/tls wrote by
// itself since the last seal, in a pooled buffer whose lease gives it back once the records
// were written or dropped. The outbox calls it under its lock, so records reach its queue in
// the order they were made.
func (t *tlsSide) seal(data []byte) ([]byte, *messages.Lease, error) {
	sb := sealBufs.Get().(*sealBuf)
	// Room for the records' headers and tags (crypto/tls starts a connection with records of
	// about 1.2 KB): it then appends without growing.
	need := len(data) + (len(data)/smallRecord+1)*recordOverhead
	if cap(sb.b) < need {
		sb.b = make([]byte, 0, need)
	}
	t.transport.mu.Lock()
	t.transport.out = append(sb.b[:0], t.transport.out...) // records crypto/tls made by itself
	t.transport.mu.Unlock()
	if len(data) > 0 {
		if _, err := t.conn.Write(data); err != nil {
			t.transport.mu.Lock()
			t.transport.out = nil // may hold part of a record: neither it nor sb is used again
			t.transport.mu.Unlock()
			return nil, nil, err
		}
	}
	sb.b = t.transport.take()
	return sb.b, sb.lease.Lend(), nil
}

const (
	smallRecord    = 1024           // below the smallest records crypto/tls makes (1,208 bytes)
	recordOverhead = 5 + 8 + 16 + 3 // header, explicit nonce (TLS 1.2), tag, content type
	maxPooledSeal  = 256 << 10      // a larger buffer (one huge write's) is not kept in the pool
)

// sealBuf is a buffer records are sealed into, pooled: its lease puts it back.
type sealBuf struct {
	b     []byte
	lease *messages.Lease
}

var sealBufs sync.Pool

func init() {
	sealBufs.New = func() any {
		sb := &sealBuf{}
		sb.lease = messages.NewLease(func() {
			if cap(sb.b) <= maxPooledSeal {
				sealBufs.Put(sb)
			}
		})
		return sb
	}
}

// closeNotify returns the close_notify alert, for the outbox to send after its queue.
func (t *tlsSide) closeNotify() ([]byte, error) {
	if err := t.conn.CloseWrite(); err != nil {
		return nil, err
	}
	return t.transport.take(), nil
}

// handshakeDone is the handshake goroutine's only message.
type handshakeDone struct{ err error }

// handshakeTimedOut is sent by the handshake's timer (SocketConfig.HandshakeTimeout).
type handshakeTimedOut struct{}

// ErrHandshakeTimeout: a TLS handshake took longer than SocketConfig.HandshakeTimeout (Node's
// ERR_TLS_HANDSHAKE_TIMEOUT).
var ErrHandshakeTimeout = errors.New("actornet: TLS handshake timeout")

// handshakeTimeout fails a socket whose handshake is still running.
func (s *socket) handshakeTimeout(ctx actor.Context) {
	if t := s.secure; t != nil && !t.ready && s.state == StateOpen {
		s.fail(ctx, opError("handshake", s, &TLSError{Code: "ERR_TLS_HANDSHAKE_TIMEOUT", Err: ErrHandshakeTimeout}))
	}
}

// startHandshake wraps the connection in TLS and runs the handshake on a goroutine of its
// own; the socket's close cuts it short (it closes the descriptor).
func (s *socket) startHandshake() {
	t := s.secure
	t.transport = &tlsTransport{TCPConn: s.conn}
	if t.server { // the config as it is, shared by every connection (a clone each cost 500 bytes)
		cfg := s.cfg.TLS
		t.noCert = len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil
		t.conn = tls.Server(t.transport, cfg)
	} else {
		cfg := s.cfg.TLS.Clone()
		reject := !cfg.InsecureSkipVerify
		roots, name := cfg.RootCAs, cfg.ServerName
		if name == "" {
			name = t.host
		}
		// Verification is ours, so that a client that does not reject an unauthorized peer
		// still learns why (Node's authorizationError), and names are checked as Node does.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			t.authErr = verifyServer(cs.PeerCertificates, roots, name, time.Now())
			t.authed = t.authErr == nil
			if reject {
				return t.authErr
			}
			return nil
		}
		t.conn = tls.Client(t.transport, cfg)
	}
	conn, sys, self := t.conn, s.sys, s.self
	if d := s.cfg.HandshakeTimeout; d > 0 {
		t.timer = time.AfterFunc(d, func() { sys.Root.Send(self, &handshakeTimedOut{}) })
	}
	s.goroutines++
	go func() {
		err := conn.HandshakeContext(context.Background())
		sys.Root.Send(self, &handshakeDone{err: err})
	}()
}

// handshaken completes the connection once the handshake did: writes go out sealed, data is
// read, and the owner hears SecureConnectEvent. A failed handshake fails the socket with a
// *TLSError.
func (s *socket) handshaken(ctx actor.Context, m *handshakeDone) {
	s.goroutines--
	t := s.secure
	if t.timer != nil {
		t.timer.Stop()
	}
	if s.state != StateOpen {
		s.maybeClosed(ctx)
		return
	}
	if m.err != nil {
		err := tlsError(m.err)
		if t.noCert { // Node's (OpenSSL's) code for a server that has nothing to sign with
			err = &TLSError{Code: "ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM", Err: m.err}
		}
		s.fail(ctx, opError("handshake", s, err))
		return
	}
	t.ready = true
	t.transport.mu.Lock()
	t.transport.capture = true
	t.transport.mu.Unlock()
	if t.server {
		t.authed = len(t.conn.ConnectionState().VerifiedChains) > 0
	}
	sys, self := s.sys, s.self
	s.out.connectTLS(newWriter(s.raw), func() { sys.Root.Send(self, kick) }, t.seal, t.closeNotify)
	cs := t.conn.ConnectionState()
	s.emit(ctx, &messages.SecureConnectEvent{Socket: s.self, Protocol: protocolName(cs.Version),
		ALPNProtocol: cs.NegotiatedProtocol, Authorized: t.authed, AuthorizationError: t.authErr,
		PeerCertificates: cs.PeerCertificates})
	s.pump(ctx, 0)
	s.startReader()
}

func protocolName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return "unknown"
}

// TLSError is a failed TLS handshake or certificate check, with the code Node gives it:
// "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_HAS_EXPIRED",
// "ERR_TLS_CERT_ALTNAME_INVALID", "ERR_SSL_WRONG_VERSION_NUMBER", an alert the peer sent
// ("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA") ... It wraps crypto/tls's or crypto/x509's error.
type TLSError struct {
	Code string
	Err  error
}

func (e *TLSError) Error() string { return e.Err.Error() }

func (e *TLSError) Unwrap() error { return e.Err }

// tlsError names a handshake's error with Node's code, when it has one.
func tlsError(err error) error {
	var te *TLSError
	if errors.As(err, &te) {
		return te
	}
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) {
		return &TLSError{Code: "ERR_SSL_WRONG_VERSION_NUMBER", Err: err}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" {
		for a, code := range alertCodes {
			if oe.Err.Error() == tls.AlertError(a).Error() {
				return &TLSError{Code: code, Err: err}
			}
		}
	}
	return err // the connection's own failure (ECONNRESET, EOF ...): its own code
}

// alertCodes are the codes Node (OpenSSL) gives the alerts a peer sends.
var alertCodes = map[uint8]string{
	40:  "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
	42:  "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
	43:  "ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
	44:  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED",
	45:  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED",
	46:  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN",
	48:  "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
	70:  "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
	80:  "ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR",
	112: "ERR_SSL_TLSV1_UNRECOGNIZED_NAME",
	116: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
	120: "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
}

// verifyServer checks a server's chain against roots (the system's when nil) and its name
// against name, as Node does; it returns a *TLSError with Node's code, or nil.
func verifyServer(chain []*x509.Certificate, roots *x509.CertPool, name string, now time.Time) error {
	if len(chain) == 0 {
		return &TLSError{Code: "UNABLE_TO_GET_ISSUER_CERT", Err: errors.New("tls: server sent no certificate")}
	}
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now})
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case err == nil:
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		code := "CERT_HAS_EXPIRED"
		if now.Before(invalid.Cert.NotBefore) {
			code = "CERT_NOT_YET_VALID"
		}
		return &TLSError{Code: code, Err: err}
	case errors.As(err, &unknown):
		code := "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
		last := chain[len(chain)-1]
		switch {
		case len(chain) == 1 && selfSigned(leaf):
			code = "DEPTH_ZERO_SELF_SIGNED_CERT"
		case len(chain) > 1 && selfSigned(last):
			code = "SELF_SIGNED_CERT_IN_CHAIN"
		case len(chain) > 1:
			code = "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
		}
		return &TLSError{Code: code, Err: err}
	default:
		return &TLSError{Code: "CERT_UNTRUSTED", Err: err}
	}
	return checkServerIdentity(name, leaf)
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// checkServerIdentity is Node's tls.checkServerIdentity: an IP address must be among the
// certificate's IP SANs; a name must match one of its DNS SANs (a wildcard standing for the
// whole first label), or its subject's CN when it has no DNS SAN.
func checkServerIdentity(host string, cert *x509.Certificate) error {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	altnames := altNames(cert)
	if ip := net.ParseIP(host); ip != nil {
		for _, a := range cert.IPAddresses {
			if a.Equal(ip) {
				return nil
			}
		}
		return &TLSError{Code: "ERR_TLS_CERT_ALTNAME_INVALID", Err: fmt.Errorf(
			"Hostname/IP does not match certificate's altnames: IP: %s is not in the cert's list: %s", host, altnames)}
	}
	names := cert.DNSNames
	if len(names) == 0 && cert.Subject.CommonName != "" {
		names = []string{cert.Subject.CommonName}
	}
	for _, n := range names {
		if hostMatches(host, n) {
			return nil
		}
	}
	reason := fmt.Sprintf("Host: %s. is not in the cert's altnames: %s", host, altnames)
	if len(cert.DNSNames) == 0 {
		reason = fmt.Sprintf("Host: %s. is not cert's CN: %s", host, cert.Subject.CommonName)
	}
	return &TLSError{Code: "ERR_TLS_CERT_ALTNAME_INVALID",
		Err: fmt.Errorf("Hostname/IP does not match certificate's altnames: %s", reason)}
}

// hostMatches matches a host name against a certificate's name, whose first label may be *.
func hostMatches(host, pattern string) bool {
	pattern = strings.TrimSuffix(strings.ToLower(pattern), ".")
	if pattern == host {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || !strings.Contains(rest, ".") { // no wildcard over a top-level domain
		return false
	}
	first, hostRest, ok := strings.Cut(host, ".")
	return ok && first != "" && hostRest == rest
}

// altNames lists a certificate's SANs as Node prints them: "DNS:a, IP Address:1.2.3.4".
func altNames(c *x509.Certificate) string {
	var parts []string
	for _, n := range c.DNSNames {
		parts = append(parts, "DNS:"+n)
	}
	for _, ip := range c.IPAddresses {
		parts = append(parts, "IP Address:"+ip.String())
	}
	return strings.Join(parts, ", ")
}
