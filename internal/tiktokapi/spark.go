package tiktokapi

import (
	"strings"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
)

// postStatus is TikTok's status of a post.
func postStatus(p model.Post) string {
	switch {
	case p.Deleted:
		return "USER_DELETE"
	case p.Visibility == model.Friends:
		return "ONLY_FRIEND_SEE"
	case p.Visibility == model.Private:
		return "ONLY_AUTHOR_SEE"
	}
	return "HESITATE_RECOMMEND"
}

// authInfo is a Spark post's authorization as TikTok shows it. An
// authorization that ended early (revoked) ends when it was revoked.
func authInfo(e authorization.Entry) map[string]any {
	a := e.Authorization
	end := a.ExpiresAt
	if !a.RevokedAt.IsZero() && (end.IsZero() || a.RevokedAt.Before(end)) {
		end = a.RevokedAt
	}
	return map[string]any{
		"ad_auth_status":    string(e.Status), // AUTHORIZED, EXPIRED, REVOKED or POST_UNAVAILABLE
		"auth_start_time":   when(a.GeneratedAt),
		"auth_end_time":     when(end),
		"invite_start_time": when(a.GeneratedAt),
		"auth_days":         a.Days,
	}
}

func videoInfo(p model.Post) map[string]any {
	// Flint keeps no poster, size, bit rate or dimensions of a video.
	return map[string]any{
		"video_id": p.ID, "duration": float64(p.DurationMS) / 1000, "width": nil, "height": nil, "size": nil,
		"bit_rate": nil, "poster_url": nil, "preview_url": p.VideoURL, "signature": nil, "file_name": nil,
	}
}

func userInfo(creator model.Account) map[string]any {
	return map[string]any{"identity_id": idText(creator.NumericID), "identity_type": "AUTH_CODE",
		"tiktok_name": creator.Handle, "display_name": creator.DisplayName}
}

// postItem is a Spark post as tt_video/info and tt_video/list show it;
// code is the code the caller redeemed (or sent), shown only to it.
func postItem(e authorization.Entry, code string) map[string]any {
	return map[string]any{
		"item_info": map[string]any{"auth_code": code, "item_id": idText(e.Post.NumericID), "item_type": "VIDEO",
			"text": e.Post.Caption, "status": postStatus(e.Post), "anchor_list": nil},
		"auth_info":  authInfo(e),
		"video_info": videoInfo(e.Post),
		"user_info":  userInfo(e.Creator),
	}
}

// entryByItem finds the library entry of the advertiser's whose post has
// numeric id item.
func (a *API) entryByItem(c *call, item string) (authorization.Entry, error) {
	if item == "" {
		return authorization.Entry{}, missing("item_id")
	}
	n, ok := number(item)
	if ok {
		lib, err := a.Authorization.Library(c.ctx, c.adv.ID)
		if err != nil {
			return authorization.Entry{}, err
		}
		for _, e := range lib {
			if e.Post.NumericID == n {
				return e, nil
			}
		}
	}
	return authorization.Entry{}, notExist("item_id", item)
}

// sparkAuthorize answers tt_video/authorize: redeem a post code into the
// advertiser's library. Idempotent: the same code again answers the same.
// Beyond TikTok's empty data, it says what was authorized and until when.
func (a *API) sparkAuthorize(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	code, err := c.text("auth_code")
	if err != nil {
		return nil, err
	}
	if code == "" {
		return nil, missing("auth_code")
	}
	e, _, err := a.Authorization.Redeem(c.ctx, c.adv.ID, code)
	if err != nil {
		return nil, err
	}
	info := authInfo(e)
	return map[string]any{
		"item_id": idText(e.Post.NumericID), "identity_id": idText(e.Creator.NumericID), "identity_type": "AUTH_CODE",
		"auth_start_time": info["auth_start_time"], "auth_end_time": info["auth_end_time"],
		"ad_auth_status": info["ad_auth_status"],
	}, nil
}

// sparkInfo answers tt_video/info: a post by its code (or, beyond TikTok,
// by item_id). A code the advertiser redeemed shows its library entry
// whatever its state; another code shows the post it would add.
func (a *API) sparkInfo(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	code, err := c.text("auth_code")
	if err != nil {
		return nil, err
	}
	if code == "" {
		item, err := c.text("item_id")
		if err != nil {
			return nil, err
		}
		if item == "" {
			return nil, missing("auth_code")
		}
		e, err := a.entryByItem(c, item)
		if err != nil {
			return nil, err
		}
		return postItem(e, e.Code), nil
	}
	e, _, err := a.Authorization.Inspect(c.ctx, c.adv.ID, code)
	if err != nil {
		return nil, err
	}
	return postItem(e, code), nil
}

// sparkList answers tt_video/list: the advertiser's library, expired and
// revoked posts included with their state, newest first.
func (a *API) sparkList(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	page, size, err := c.paging(20, 50)
	if err != nil {
		return nil, err
	}
	types, given, err := c.list("item_types")
	if err != nil {
		return nil, err
	}
	keyword, err := c.text("keyword")
	if err != nil {
		return nil, err
	}
	lib, err := a.Authorization.Library(c.ctx, c.adv.ID)
	if err != nil {
		return nil, err
	}
	videos := !given || len(types) == 0
	for _, t := range types {
		videos = videos || strings.EqualFold(t, "VIDEO")
	}
	var kept []authorization.Entry
	for _, e := range lib {
		if videos && (keyword == "" || strings.Contains(strings.ToLower(e.Post.Caption), strings.ToLower(keyword))) {
			kept = append(kept, e)
		}
	}
	lo, hi, info := pageOf(page, size, len(kept))
	list := make([]any, 0, hi-lo)
	for _, e := range kept[lo:hi] {
		list = append(list, postItem(e, e.Code))
	}
	return map[string]any{"list": list, "page_info": info}, nil
}

// sparkUnbind answers tt_video/unbind: the post leaves the library (an
// entry an ad uses cannot: 40202).
func (a *API) sparkUnbind(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	item, err := c.text("item_id")
	if err != nil {
		return nil, err
	}
	e, err := a.entryByItem(c, item)
	if err != nil {
		return nil, err
	}
	if err := a.Authorization.RemoveFromLibrary(c.ctx, c.adv.ID, e.SparkPost.ID); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// identityGet answers identity/get: the creators of the advertiser's
// library, one AUTH_CODE identity each (newest first).
func (a *API) identityGet(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	page, size, err := c.paging(10, 100)
	if err != nil {
		return nil, err
	}
	kind, err := c.text("identity_type")
	if err != nil {
		return nil, err
	}
	var list []any
	if kind == "" || kind == "AUTH_CODE" {
		lib, err := a.Authorization.Library(c.ctx, c.adv.ID)
		if err != nil {
			return nil, err
		}
		type identity struct {
			creator   model.Account
			available bool
		}
		var order []string
		seen := map[string]*identity{}
		for _, e := range lib {
			id := seen[e.Creator.ID]
			if id == nil {
				id = &identity{creator: e.Creator}
				seen[e.Creator.ID] = id
				order = append(order, e.Creator.ID)
			}
			id.available = id.available || e.Status == model.LibraryAuthorized
		}
		for _, cid := range order {
			id := seen[cid]
			status := "AVAILABLE"
			if !id.available {
				status = "NOT_AVAILABLE" // no authorized post now
			}
			list = append(list, map[string]any{
				"identity_id": idText(id.creator.NumericID), "identity_type": "AUTH_CODE",
				"display_name": id.creator.DisplayName, "tiktok_name": id.creator.Handle, "profile_image": "",
				"identity_authorized_bc_id": nil, "available_status": status, "can_pull_video": true,
				"can_push_video": false, "can_use_live_ads": false,
			})
		}
	}
	lo, hi, info := pageOf(page, size, len(list))
	return map[string]any{"identity_list": append([]any{}, list[lo:hi]...), "page_info": info}, nil
}

// identityVideoInfo answers identity/video/info: posts of one identity in
// the advertiser's library, by item_id (video_detail) or item_ids
// (video_details).
func (a *API) identityVideoInfo(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	identity, err := c.text("identity_id")
	if err != nil {
		return nil, err
	}
	if identity == "" {
		return nil, missing("identity_id")
	}
	item, err := c.text("item_id")
	if err != nil {
		return nil, err
	}
	items, many, err := c.list("item_ids")
	if err != nil {
		return nil, err
	}
	if !many {
		if item == "" {
			return nil, missing("item_id")
		}
		items = []string{item}
	}
	var details []any
	for _, it := range items {
		e, err := a.entryByItem(c, it)
		if err != nil {
			return nil, err
		}
		if idText(e.Creator.NumericID) != identity {
			return nil, notExist("item_id", it) // not a post of this identity
		}
		details = append(details, map[string]any{
			"item_id": idText(e.Post.NumericID), "text": e.Post.Caption, "status": postStatus(e.Post),
			"item_type": "VIDEO", "video_info": videoInfo(e.Post), "auth_info": authInfo(e),
			"user_info": userInfo(e.Creator),
		})
	}
	if many {
		return map[string]any{"video_details": details}, nil
	}
	return map[string]any{"video_detail": details[0]}, nil
}
