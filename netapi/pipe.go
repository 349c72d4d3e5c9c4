package netapi

// Pipe forwards src's data to dst as Node's src.pipe(dst) does: when dst's Write reports
// that dst is full, src is paused until dst drains, so a slow dst holds a fast src back
// through TCP itself; when src ends, dst is ended after everything src sent. Beyond Node's
// pipe, so that a proxy never hangs on half a connection: when src closes with an error, dst
// is destroyed (stream.pipeline's rule), and when dst closes, src flows again (what it
// still reads has nowhere to go and is dropped) so that it sees its own peer's end. Call it
// both ways for a proxy (with AllowHalfOpen, so that each side's end is carried over while
// the other still answers):
//
//	srv := rt.CreateServer(netapi.ServerOptions{}, func(in *netapi.Socket) {
//		out := rt.ConnectPort(backendPort, "127.0.0.1", nil)
//		netapi.Pipe(in, out)
//		netapi.Pipe(out, in)
//	})
//
// Made in the 'connection' callback, out runs on in's loop, so the two sides take turns. With
// ServerOptions.ReuseReadBuffer, the data is forwarded without a copy.
func Pipe(src, dst *Socket) {
	src.OnData(func(b []byte) {
		if !dst.Write(b, nil) && !dst.Destroyed() {
			src.Pause()
		}
	})
	dst.OnDrain(func() { src.Resume() })
	dst.OnClose(func(bool) { src.Resume() })
	src.OnEnd(func() { dst.End(nil, nil) })
	src.OnClose(func(hadError bool) {
		if hadError {
			dst.Destroy()
		}
	})
}
