//go:build !linux

package actors

import "syscall"

// Without writev here, a gathered queue goes out one write(2) per buffer, as far as the
// kernel takes them.

type iovec = []byte

func (w *writer) writevFD(fd uintptr) bool {
	w.n, w.err = 0, nil
	for _, b := range w.iov {
		for {
			n, err := syscall.Write(int(fd), b)
			if err == syscall.EINTR {
				continue
			}
			if n > 0 {
				w.n += n
			}
			if err != nil && w.n == 0 {
				w.err = err
			}
			if err != nil || n < len(b) {
				return true
			}
			break
		}
	}
	return true
}

func (w *writer) setIov(bufs []chunk) {
	w.iov = w.iov[:0]
	for _, c := range bufs {
		if len(c.data) > 0 && len(w.iov) < maxIov {
			w.iov = append(w.iov, c.data)
		}
	}
}

func (w *writer) iovLen() int { return len(w.iov) }

func (w *writer) clearIov() {
	clear(w.iov)
	w.iov = w.iov[:0]
}
