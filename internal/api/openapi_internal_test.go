package api

import (
	"maps"
	"strings"
	"testing"
)

// TestOpenAPIRefusesUndocumentedRoutes: a route of the table without a
// description, or a description without a route, makes the document an
// error (and TestOpenAPIDocument fail), naming it.
func TestOpenAPIRefusesUndocumentedRoutes(t *testing.T) {
	a := New(Deps{})
	if _, err := a.document(operations); err != nil {
		t.Fatalf("the document as it is: %v", err)
	}
	missing := maps.Clone(operations)
	delete(missing, "POST /api/v1/campaigns")
	if _, err := a.document(missing); err == nil || !strings.Contains(err.Error(), "POST /api/v1/campaigns") {
		t.Errorf("a route without a description: %v", err)
	}
	stale := maps.Clone(operations)
	stale["DELETE /api/v1/campaigns/{id}"] = operation{id: "deleteCampaign", summary: "Gone", tag: "Campaigns"}
	if _, err := a.document(stale); err == nil || !strings.Contains(err.Error(), "DELETE /api/v1/campaigns/{id}") {
		t.Errorf("a description without a route: %v", err)
	}
	// A body field the operation requires must exist.
	wrong := maps.Clone(operations)
	op := wrong["POST /api/v1/campaigns"]
	op.required = []string{"name", "objectiv"}
	wrong["POST /api/v1/campaigns"] = op
	if _, err := a.document(wrong); err == nil || !strings.Contains(err.Error(), "objectiv") {
		t.Errorf("a required field that does not exist: %v", err)
	}
}
