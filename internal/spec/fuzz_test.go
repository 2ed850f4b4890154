package spec

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, must
// return nil exactly when there are errors, and must keep every problem
// inside the file.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"good", "bad"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("version: 1\nwebhooks:\n  - {name: a, url: 'https://x/${T}', events: ['*']}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, ps := loadBytes("f.yaml", data, func(k string) (string, bool) {
			if k == "T" {
				return "fuzz-secret-value", true
			}
			return "", false
		})
		if (d == nil) != HasErrors(ps) {
			t.Fatalf("desired nil=%v but HasErrors=%v", d == nil, HasErrors(ps))
		}
		lines := len(splitLines(data))
		for _, p := range ps {
			if p.Pos.File != "f.yaml" || p.Pos.Line < 1 || p.Pos.Line > lines || p.Pos.Col < 1 {
				t.Fatalf("problem outside the file (%d lines): %s", lines, p)
			}
			if strings.Contains(p.Message, "fuzz-secret-value") {
				t.Fatalf("secret in %s", p)
			}
			if !utf8.ValidString(p.Message) && utf8.Valid(data) {
				t.Fatalf("invalid UTF-8 in message %q", p.Message)
			}
		}
	})
}

// BenchmarkLoad loads a file of MaxWebhooks (25) webhooks, the largest a
// workspace can have.
func BenchmarkLoad(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nignore:\n  - name: \"manual-*\"\nwebhooks:\n")
	for i := range MaxWebhooks {
		sb.WriteString("  - name: target-")
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString("\n    url: https://hooks.example.com/plain/")
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString("?token=${CRM_WEBHOOK_TOKEN}\n    events: [thread.thread_created, \"customer.*\", thread.email_*]\n    enabled: true\n")
	}
	file := filepath.Join(b.TempDir(), "bench.yaml")
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		d, ps := Load(file, lookupTestEnv)
		if d == nil || len(d.Webhooks) != MaxWebhooks {
			b.Fatalf("bench file failed: %s", render(ps))
		}
	}
}
