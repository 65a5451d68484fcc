import { defineText } from '../../i18n/text.js';

export const configText = defineText({
  en: {
    restartNote: 'A running gateway keeps its address until `qcc proxy restart`.',
    colKey: 'KEY',
    colValue: 'VALUE',
    colDescription: 'DESCRIPTION',
    changed: '*',
    resetAll: 'Every setting is back to its default',
    exported: 'Configuration written to {file}',
    secretsIncluded: 'It contains API keys: keep it private.',
    secretsLeftOut: 'API keys were left out; `--include-secrets` includes them.',
    backedUp: 'Previous configuration saved as {file}',
    imported: 'Imported {file} ({profiles} profiles)',
  },
  zh: {
    restartNote: '正在运行的代理会保持原地址，直到执行 `qcc proxy restart`。',
    colKey: '设置项',
    colValue: '值',
    colDescription: '说明',
    changed: '*',
    resetAll: '所有设置项已恢复默认值',
    exported: '配置已写入 {file}',
    secretsIncluded: '文件包含 API Key，请妥善保管。',
    secretsLeftOut: '未包含 API Key；加 `--include-secrets` 可包含。',
    backedUp: '原配置已保存为 {file}',
    imported: '已导入 {file}（{profiles} 个配置）',
  },
});
