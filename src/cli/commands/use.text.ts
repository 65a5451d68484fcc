import { defineText } from '../../i18n/text.js';

export const useText = defineText({
  en: {
    pick: 'Which profile should Claude Code use?',
    pointed: "Claude Code now uses '{name}' ({url})",
    keyNote: 'key {key} as {style}',
    launching: 'Starting Claude Code…',
    nothingToRestore: 'Nothing to restore: qcc has not changed Claude Code settings (or already restored them).',
    restored: 'Restored the values {file} had before qcc changed it',
    restoredRemoved: 'Removed {file}: it did not exist before qcc created it',
    clusterActive: "'{name}' is now the active profile",
    clusterNeedsGateway: 'A cluster runs through the qcc gateway, which Claude Code reaches at http://127.0.0.1:7860.',
  },
  zh: {
    pick: '让 Claude Code 使用哪个配置？',
    pointed: "Claude Code 已切换到 '{name}'（{url}）",
    keyNote: 'Key {key}，方式 {style}',
    launching: '正在启动 Claude Code…',
    nothingToRestore: '无需恢复：qcc 尚未修改 Claude Code 配置（或已恢复）。',
    restored: '已恢复 {file} 在 qcc 修改之前的值',
    restoredRemoved: '已删除 {file}：它在 qcc 创建之前并不存在',
    clusterActive: "'{name}' 已设为当前活跃配置",
    clusterNeedsGateway: '集群通过 qcc 代理服务器运行，Claude Code 经 http://127.0.0.1:7860 访问它。',
  },
});
