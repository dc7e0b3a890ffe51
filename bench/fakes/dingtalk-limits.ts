/** DingTalk's documented limit, calls per second per API per app; the fake enforces it (and the app keeps to it). */
export const DINGTALK_CALLS_PER_SECOND_PER_API = 20;
