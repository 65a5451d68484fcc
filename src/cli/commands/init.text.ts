import { defineText } from '../../i18n/text.js';

export const initText = defineText({
  en: {
    created: 'Created {home}',
    already: 'qcc is already set up in {home}',
    found: 'Claude Code currently uses {url} with key {key}.',
    askImport: 'Save it as a qcc profile?',
    askName: 'Profile name',
    importHint: 'Save it as a profile with: qcc init --import-as NAME',
    importedDescription: 'imported from Claude Code settings',
    imported: "Saved as profile '{name}'",
  },
  zh: {
    created: '已创建 {home}',
    already: 'qcc 已在 {home} 初始化',
    found: 'Claude Code 当前使用 {url}，Key 为 {key}。',
    askImport: '保存为 qcc 配置吗？',
    askName: '配置名称',
    importHint: '可用以下命令保存为配置：qcc init --import-as 名称',
    importedDescription: '从 Claude Code 配置导入',
    imported: "已保存为配置 '{name}'",
  },
});
