package testkit

import (
	"net"
	"time"
)

// Pattern returns n bytes with no short period, so that a byte out of place shows.
func Pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// SendHeldBack writes data to c on a goroutine of its own, then half-closes c. held receives
// true as soon as a write has been stalled for 300 ms, which tells that the peer holds the
// writer back, or false if everything went out first.
func SendHeldBack(c *net.TCPConn, data []byte) (held <-chan bool) {
	ch := make(chan bool, 1)
	go func() {
		off, stalled := 0, false
		for off < len(data) {
			if !stalled {
				_ = c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			}
			n, err := c.Write(data[off:])
			off += n
			if err == nil {
				continue
			}
			if stalled {
				break // a real error: the test sees a short echo
			}
			stalled = true
			ch <- true
			_ = c.SetWriteDeadline(time.Time{})
		}
		if !stalled {
			ch <- false
		}
		_ = c.CloseWrite()
	}()
	return ch
}
