// Package ordered runs jobs concurrently and keeps their output in job
// order. It is how plainsync handles several workspaces at once while
// printing exactly what a run one workspace after another would print.
package ordered

import (
	"bytes"
	"io"
	"sync"
)

// Run calls job(i, w) for i in [0, n), at most limit at a time (limit < 1
// means 1), starting them in order, and returns when all have returned.
// What job i writes to w reaches out in job order: the lowest unfinished
// job writes through live, later ones are held until every job before
// them has finished. Writes to w are safe from several goroutines of one
// job. An error writing to out is returned to the writer that hit it and
// to every later one.
func Run(n, limit int, out io.Writer, job func(i int, w io.Writer)) {
	if n <= 0 {
		return
	}
	s := &sequencer{out: out, held: make([]bytes.Buffer, n), done: make([]bool, n)}
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer s.finish(i)
			job(i, &jobWriter{s: s, i: i})
		}()
	}
	wg.Wait()
}

// Each runs job(i) for i in [0, n), at most limit at a time, for work that
// writes nothing; results go wherever job puts them (by index).
func Each(n, limit int, job func(i int)) {
	Run(n, limit, io.Discard, func(i int, _ io.Writer) { job(i) })
}

type sequencer struct {
	mu   sync.Mutex
	out  io.Writer
	err  error
	head int // the lowest unfinished job: its writes go straight to out
	held []bytes.Buffer
	done []bool
}

func (s *sequencer) write(i int, p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	if i != s.head {
		return s.held[i].Write(p)
	}
	if _, err := s.out.Write(p); err != nil {
		s.err = err
		return 0, err
	}
	return len(p), nil
}

// finish marks job i done and lets the jobs after it through, in order.
func (s *sequencer) finish(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done[i] = true
	for s.head < len(s.done) && s.done[s.head] {
		s.head++
		if s.head == len(s.done) {
			return
		}
		if s.held[s.head].Len() > 0 && s.err == nil {
			if _, err := s.out.Write(s.held[s.head].Bytes()); err != nil {
				s.err = err
			}
		}
		s.held[s.head] = bytes.Buffer{}
	}
}

type jobWriter struct {
	s *sequencer
	i int
}

func (w *jobWriter) Write(p []byte) (int, error) { return w.s.write(w.i, p) }
