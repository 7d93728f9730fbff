// A SAMPLE prohibited-content list, one or more terms for each of the contract annex's nine
// categories, as seen in Chinese SMS spam. It shows the shape and exercises the filter; it is not
// the carriers' list, which each operator keeps up to date from the carriers' notices. `review`
// for terms with innocent uses (算命, 上门服务…), `reject` for terms with none.
import type { ContentRule } from './content-filter.ts';

export const SAMPLE_CONTENT_RULES: ContentRule[] = [
  // politics
  { id: 'cr_politics_1', term: '法轮功', category: 'politics', action: 'reject' },
  { id: 'cr_politics_2', term: '法轮大法', category: 'politics', action: 'reject' },
  { id: 'cr_politics_3', term: '颠覆国家政权', category: 'politics', action: 'reject' },
  { id: 'cr_politics_4', term: '藏独', category: 'politics', action: 'review' },

  // pornography
  { id: 'cr_pornography_1', term: '裸聊', category: 'pornography', action: 'reject' },
  { id: 'cr_pornography_2', term: '援交', category: 'pornography', action: 'reject' },
  { id: 'cr_pornography_3', term: '约炮', category: 'pornography', action: 'reject' },
  { id: 'cr_pornography_4', term: '一夜情', category: 'pornography', action: 'reject' },
  { id: 'cr_pornography_5', term: '色情服务', category: 'pornography', action: 'reject' },
  { id: 'cr_pornography_6', term: '上门服务', category: 'pornography', action: 'review' },
  { id: 'cr_pornography_7', term: '同城交友', category: 'pornography', action: 'review' },
  { id: 'cr_pornography_8', term: 'escort service', category: 'pornography', action: 'review' },

  // gambling
  { id: 'cr_gambling_1', term: '赌博', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_2', term: '賭博', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_3', term: '六合彩', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_4', term: '博彩', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_5', term: '百家乐', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_6', term: '网上赌场', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_7', term: '赌球', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_8', term: '时时彩', category: 'gambling', action: 'review' },
  { id: 'cr_gambling_9', term: 'online casino', category: 'gambling', action: 'reject' },
  { id: 'cr_gambling_10', term: 'gamble', category: 'gambling', action: 'review' },

  // violence
  { id: 'cr_violence_1', term: '买凶', category: 'violence', action: 'reject' },
  { id: 'cr_violence_2', term: '雇凶杀人', category: 'violence', action: 'reject' },
  { id: 'cr_violence_3', term: '职业杀手', category: 'violence', action: 'reject' },
  { id: 'cr_violence_4', term: '暴力讨债', category: 'violence', action: 'reject' },
  { id: 'cr_violence_5', term: '讨债公司', category: 'violence', action: 'review' },

  // fraud
  { id: 'cr_fraud_1', term: '代开发票', category: 'fraud', action: 'reject' },
  { id: 'cr_fraud_2', term: '刷单', category: 'fraud', action: 'reject' },
  { id: 'cr_fraud_3', term: '套现', category: 'fraud', action: 'review' },
  { id: 'cr_fraud_4', term: '信用卡套现', category: 'fraud', action: 'reject' },
  { id: 'cr_fraud_5', term: '贷款无抵押', category: 'fraud', action: 'review' },
  { id: 'cr_fraud_6', term: '无抵押贷款', category: 'fraud', action: 'review' },
  { id: 'cr_fraud_7', term: '安全账户', category: 'fraud', action: 'reject' },
  { id: 'cr_fraud_8', term: '网贷秒批', category: 'fraud', action: 'review' },
  { id: 'cr_fraud_9', term: '恭喜您中奖', category: 'fraud', action: 'review' },
  { id: 'cr_fraud_10', term: 'you have won', category: 'fraud', action: 'review' },

  // drugs
  { id: 'cr_drugs_1', term: '冰毒', category: 'drugs', action: 'reject' },
  { id: 'cr_drugs_2', term: '海洛因', category: 'drugs', action: 'reject' },
  { id: 'cr_drugs_3', term: '摇头丸', category: 'drugs', action: 'reject' },
  { id: 'cr_drugs_4', term: 'K粉', category: 'drugs', action: 'reject' },
  { id: 'cr_drugs_5', term: '麻古', category: 'drugs', action: 'reject' },
  { id: 'cr_drugs_6', term: '听话水', category: 'drugs', action: 'reject' },
  { id: 'cr_drugs_7', term: '大麻', category: 'drugs', action: 'review' },

  // weapons
  { id: 'cr_weapons_1', term: '枪支', category: 'weapons', action: 'reject' },
  { id: 'cr_weapons_2', term: '仿真枪', category: 'weapons', action: 'reject' },
  { id: 'cr_weapons_3', term: '气枪', category: 'weapons', action: 'reject' },
  { id: 'cr_weapons_4', term: '猎枪', category: 'weapons', action: 'reject' },
  { id: 'cr_weapons_5', term: '管制刀具', category: 'weapons', action: 'reject' },
  { id: 'cr_weapons_6', term: '弓弩', category: 'weapons', action: 'review' },

  // superstition
  { id: 'cr_superstition_1', term: '转运符', category: 'superstition', action: 'reject' },
  { id: 'cr_superstition_2', term: '法事超度', category: 'superstition', action: 'review' },
  { id: 'cr_superstition_3', term: '算命', category: 'superstition', action: 'review' },
  { id: 'cr_superstition_4', term: '开光', category: 'superstition', action: 'review' },

  // other_illegal
  { id: 'cr_other_illegal_1', term: '办证', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_2', term: '假证', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_3', term: '代考', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_4', term: '考试答案', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_5', term: '窃听器', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_6', term: '出售公民信息', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_7', term: '代孕', category: 'other_illegal', action: 'reject' },
  { id: 'cr_other_illegal_8', term: '私家侦探', category: 'other_illegal', action: 'review' },
];
