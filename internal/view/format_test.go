package view

import "testing"

func TestCheckFormat(t *testing.T) {
	if err := CheckFormat("json", "table", "json"); err != nil {
		t.Errorf("json: %v", err)
	}
	if err := CheckFormat("yaml", "table", "json"); err == nil || err.Error() != `unknown output format "yaml" (want table, json)` {
		t.Errorf("yaml: %v", err)
	}
}
