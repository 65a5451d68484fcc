import type { AuthStyle } from '../config/schema.js';

/** A provider with an Anthropic-compatible Messages API that `qcc add --vendor ID` can fill in. */
export interface Vendor {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly authStyle: AuthStyle;
  readonly signupUrl: string;
}

export const vendors: readonly Vendor[] = [
  {
    id: 'anthropic',
    name: 'Anthropic',
    baseUrl: 'https://api.anthropic.com',
    authStyle: 'x-api-key',
    signupUrl: 'https://console.anthropic.com',
  },
  {
    id: 'deepseek',
    name: 'DeepSeek',
    baseUrl: 'https://api.deepseek.com/anthropic',
    authStyle: 'bearer',
    signupUrl: 'https://platform.deepseek.com',
  },
  {
    id: 'moonshot',
    name: 'Moonshot AI (Kimi)',
    baseUrl: 'https://api.moonshot.cn/anthropic',
    authStyle: 'bearer',
    signupUrl: 'https://platform.moonshot.cn',
  },
  {
    id: 'zhipu',
    name: 'Zhipu AI (GLM)',
    baseUrl: 'https://open.bigmodel.cn/api/anthropic',
    authStyle: 'bearer',
    signupUrl: 'https://open.bigmodel.cn',
  },
  {
    id: 'minimax',
    name: 'MiniMax',
    baseUrl: 'https://api.minimaxi.com/anthropic',
    authStyle: 'bearer',
    signupUrl: 'https://platform.minimaxi.com',
  },
  {
    id: 'dashscope',
    name: 'Alibaba Cloud Model Studio (Qwen)',
    baseUrl: 'https://dashscope.aliyuncs.com/apps/anthropic',
    authStyle: 'bearer',
    signupUrl: 'https://bailian.console.aliyun.com',
  },
];

export function findVendor(id: string): Vendor | undefined {
  const wanted = id.toLowerCase();
  return vendors.find((vendor) => vendor.id === wanted);
}
