package tiktokapi

import (
	"slices"
)

// advertiserInfo answers advertiser/info: the caller's own advertiser,
// every field or those asked for. Any id it does not own answers 40001.
func (a *API) advertiserInfo(c *call) (any, error) {
	idList, ok, err := c.list("advertiser_ids")
	if err != nil {
		return nil, err
	}
	if !ok || len(idList) == 0 {
		return nil, missing("advertiser_ids")
	}
	for _, s := range idList {
		if n, ok := number(s); !ok || n != c.adv.NumericID {
			return nil, notYours()
		}
	}
	fields, _, err := c.list("fields")
	if err != nil {
		return nil, err
	}
	adv := c.adv
	info := map[string]any{
		"advertiser_id":           idText(adv.NumericID),
		"name":                    adv.Name,
		"company":                 adv.Name,
		"currency":                adv.Currency,
		"timezone":                adv.Timezone,
		"display_timezone":        adv.Timezone,
		"status":                  "STATUS_ENABLE",
		"role":                    "ROLE_ADVERTISER",
		"advertiser_account_type": "AUCTION",
		"email":                   adv.Email,
		"country":                 nil, // Flint keeps no country for an advertiser
		"balance":                 amount(0, adv.Currency),
		"create_time":             adv.CreatedAt.Unix(), // epoch seconds: clients call fromtimestamp on it
		"description":             "",
		"language":                "en",
		"flint_id":                adv.ID,
	}
	if len(fields) > 0 {
		for k := range info {
			if k != "advertiser_id" && !slices.Contains(fields, k) {
				delete(info, k)
			}
		}
	}
	out := make([]any, len(idList))
	for i := range idList {
		out[i] = info
	}
	return map[string]any{"list": out}, nil
}

// oauth2Advertisers answers oauth2/advertiser/get: the advertisers the
// token reaches (its own). app_id and secret are not checked: Flint's
// tokens are issued natively.
func (a *API) oauth2Advertisers(c *call) (any, error) {
	return map[string]any{"list": []any{map[string]any{
		"advertiser_id": idText(c.adv.NumericID), "advertiser_name": c.adv.Name,
	}}}, nil
}

// userInfo answers user/info: the token's holder.
func (a *API) userInfo(c *call) (any, error) {
	return map[string]any{
		"display_name": c.adv.Name, "email": c.adv.Email, "core_user_id": idText(c.adv.NumericID),
		"create_time": c.adv.CreatedAt.Unix(), "avatar_url": "",
	}, nil
}
