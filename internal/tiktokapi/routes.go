package tiktokapi

// table is the surface's route table: TikTok's path (without the prefix
// and slashes) → method and handler. A new call is one more line here.
func (a *API) table() map[string]route {
	const get, post = "GET", "POST"
	return map[string]route{
		// Accounts.
		"advertiser/info":       {get, a.advertiserInfo},
		"oauth2/advertiser/get": {get, a.oauth2Advertisers},
		"user/info":             {get, a.userInfo},

		// Spark Ads posts (no official SDK covers these).
		"tt_video/authorize": {post, a.sparkAuthorize},
		"tt_video/info":      {get, a.sparkInfo},
		"tt_video/list":      {get, a.sparkList},
		"tt_video/unbind":    {post, a.sparkUnbind},

		// Identities: the creators of the advertiser's Spark posts.
		"identity/get":        {get, a.identityGet},
		"identity/video/info": {get, a.identityVideoInfo},

		// Campaign management.
		"campaign/create": {post, a.campaignCreate},
		"campaign/get":    {get, a.campaignGet},
		"adgroup/create":  {post, a.adGroupCreate},
		"adgroup/get":     {get, a.adGroupGet},
		"ad/create":       {post, a.adCreate},
		"ad/get":          {get, a.adGet},

		// Reporting.
		"report/integrated/get": {get, a.reportGet},
	}
}
