// Drives a running flint serve with TikTok's official JS SDK, as a marketer's
// script would, changing only the base URL; and makes the Spark calls (which
// no SDK covers) over raw HTTP, shaped as in-house clients send them.
// Environment: FLINT_BASE, ACCESS_TOKEN, ADVERTISER_ID, AUTH_CODE.
// Prints one JSON object of results; exits 1 on the first failure.
import * as sdk from 'tiktok-business-api-sdk-official';

const { FLINT_BASE: base, ACCESS_TOKEN: token, ADVERTISER_ID: adv, AUTH_CODE: code } = process.env;
const client = sdk.ApiClient.instance;
client.basePath = base;

// call wraps an SDK method's callback in a promise.
function call(api, method, ...args) {
  return new Promise((resolve, reject) => {
    api[method](...args, (err, data) => (err ? reject(new Error(`${method}: ${err.message}`)) : resolve(data)));
  });
}

// raw sends a Spark call over plain HTTP and checks TikTok's envelope.
async function raw(method, path, { query, body } = {}) {
  const url = new URL(`${base}/open_api/v1.3/${path}`);
  for (const [k, v] of Object.entries(query || {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { 'Access-Token': token, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (res.status !== 200 || json.code !== 0 || json.message !== 'OK') {
    throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  }
  return json.data;
}

const out = {};
try {
  // Spark: authorize (twice: idempotent), list, info by code.
  out.authorize = await raw('POST', 'tt_video/authorize/', { body: { advertiser_id: adv, auth_code: code } });
  out.authorizeAgain = await raw('POST', 'tt_video/authorize/', { body: { advertiser_id: adv, auth_code: code } });
  out.sparkList = await raw('GET', 'tt_video/list/', { query: { advertiser_id: adv, page_size: '50' } });
  out.sparkInfo = await raw('GET', 'tt_video/info/', { query: { advertiser_id: adv, auth_code: code } });

  const account = new sdk.AccountManagementApi();
  out.advertiserInfo = await call(account, 'advertiserInfo', [adv], token, { fields: ['name', 'currency', 'create_time'] });

  const identity = new sdk.IdentityApi();
  out.identities = await call(identity, 'identityGet', adv, token, { identity_type: 'AUTH_CODE' });
  const id = out.identities.data.identity_list[0].identity_id;
  const item = out.authorize.item_id;
  out.videoInfo = await call(identity, 'identityVideoInfo', token, adv, 'AUTH_CODE', id, item, {});

  const campaigns = new sdk.CampaignCreationApi();
  out.campaign = await call(campaigns, 'campaignCreate', token, {
    body: { advertiser_id: adv, campaign_name: 'SDK campaign', objective_type: 'TRAFFIC',
      budget_mode: 'BUDGET_MODE_TOTAL', budget: 250.5 },
  });
  const campaignId = out.campaign.data.campaign_id;
  out.campaigns = await call(campaigns, 'campaignGet', adv, token, { filtering: { campaign_ids: [campaignId] } });

  const adgroups = new sdk.AdgroupApi();
  out.adgroup = await call(adgroups, 'adgroupCreate', token, {
    body: { advertiser_id: adv, campaign_id: campaignId, adgroup_name: 'SDK group', budget_mode: 'BUDGET_MODE_DAY',
      budget: 50, billing_event: 'CPC', bid_price: 0.5, optimization_goal: 'CLICK', pacing: 'PACING_MODE_SMOOTH',
      schedule_type: 'SCHEDULE_FROM_NOW', schedule_start_time: '2026-01-01 00:00:00', location_ids: ['6252001', '2635167'],
      gender: 'GENDER_FEMALE', operating_systems: ['IOS'] },
  });
  const groupId = out.adgroup.data.adgroup_id;
  out.adgroups = await call(adgroups, 'adgroupGet', adv, token, { filtering: { adgroup_ids: [groupId] } });

  const ads = new sdk.AdApi();
  out.ad = await call(ads, 'adCreate', token, {
    body: { advertiser_id: adv, adgroup_id: groupId, creatives: [{ ad_name: 'SDK ad', ad_format: 'SINGLE_VIDEO',
      identity_type: 'AUTH_CODE', identity_id: id, tiktok_item_id: item, call_to_action: 'LEARN_MORE',
      landing_page_url: 'https://glow.example/' }] },
  });
  out.ads = await call(ads, 'adGet', adv, token, { filtering: { ad_ids: out.ad.data.ad_ids } });

  const reporting = new sdk.ReportingApi();
  const today = new Date().toISOString().slice(0, 10);
  out.report = await call(reporting, 'reportIntegratedGet', 'BASIC', token, {
    advertiser_id: adv, service_type: 'AUCTION', data_level: 'AUCTION_AD', dimensions: ['ad_id', 'stat_time_day'],
    metrics: ['spend', 'impressions', 'clicks', 'ctr', 'ad_name', 'real_time_result'], start_date: today, end_date: today,
    enable_total_metrics: true, page: 1, page_size: 100,
  });

  // An error the SDK turns into an Error carrying TikTok's code.
  try {
    await call(account, 'advertiserInfo', ['1234567890123456789'], token, {});
    out.foreign = 'no error';
  } catch (e) {
    out.foreign = e.message;
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(e.stack || String(e));
  console.log(JSON.stringify(out));
  process.exit(1);
}
