package tz

import "testing"

func TestLoad(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "Local", "Mars/Olympus", "../etc/passwd"} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) succeeded", bad)
		}
	}
	a, err := Load("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := Load("Asia/Kathmandu"); a != b {
		t.Error("a zone is parsed again instead of remembered")
	}
}
